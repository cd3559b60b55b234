//! The command table: every `MMVEC.*` name, the name the seed module (RedisMMap) gave the
//! command where it had one, as an alias, flags and key positions (first key = argument 1, so Redis Cluster routes every command).

use std::ffi::{CString, c_int};

use redis_module::{Context, RedisValue, raw};

use crate::commands::{blob, internal, open, read, write};
use crate::dispatch::command_fn;
use crate::filter;

command_fn!(open_fn => open::open);
command_fn!(mmap_fn => open::mmap);
command_fn!(get_fn => read::get);
command_fn!(mget_fn => read::mget);
command_fn!(count_fn => read::count);
command_fn!(range_fn => read::range);
command_fn!(info_fn => read::info);
command_fn!(all_fn => read::all);
command_fn!(dtype_fn => read::dtype);
command_fn!(itemsize_fn => read::itemsize);
command_fn!(file_path_fn => read::file_path);
command_fn!(set_fn => write::set);
command_fn!(add_fn => write::add);
command_fn!(pop_fn => write::pop);
command_fn!(clear_fn => write::clear);
command_fn!(incrby_fn => write::incrby);
command_fn!(sync_fn => write::sync);
command_fn!(getblob_fn => blob::get);
command_fn!(setblob_fn => blob::set);
command_fn!(addblob_fn => blob::add);
command_fn!(put_at_fn => internal::put_at);
command_fn!(put_text_fn => internal::put_text);
command_fn!(splice_fn => internal::splice);
command_fn!(set_len_fn => internal::set_len);
command_fn!(bind_fn => internal::bind);

struct Command {
    /// The namespaced name; `None` for the read commands only the seed's full version
    /// (t-fuchi/RedisMMap) has (`VALL`, `VTYPE`, …), which exist only as aliases.
    name: Option<&'static str>,
    alias: Option<&'static str>,
    handler: extern "C" fn(*mut raw::RedisModuleCtx, *mut *mut raw::RedisModuleString, c_int) -> c_int,
    flags: &'static str,
}

const COMMANDS: &[Command] = &[
    Command { name: Some("mmvec.open"), alias: None, handler: open_fn, flags: "write deny-oom" },
    Command { name: None, alias: Some("mmap"), handler: mmap_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.get"), alias: Some("vget"), handler: get_fn, flags: "readonly fast" },
    Command { name: Some("mmvec.mget"), alias: Some("vmget"), handler: mget_fn, flags: "readonly fast" },
    Command { name: Some("mmvec.set"), alias: Some("vset"), handler: set_fn, flags: "write deny-oom fast" },
    Command { name: Some("mmvec.add"), alias: Some("vadd"), handler: add_fn, flags: "write deny-oom fast" },
    Command { name: Some("mmvec.pop"), alias: Some("vpop"), handler: pop_fn, flags: "write fast" },
    Command { name: Some("mmvec.count"), alias: Some("vcount"), handler: count_fn, flags: "readonly fast" },
    Command { name: Some("mmvec.clear"), alias: Some("vclear"), handler: clear_fn, flags: "write" },
    Command { name: Some("mmvec.range"), alias: None, handler: range_fn, flags: "readonly" },
    Command { name: Some("mmvec.getblob"), alias: None, handler: getblob_fn, flags: "readonly" },
    Command { name: Some("mmvec.setblob"), alias: None, handler: setblob_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.addblob"), alias: None, handler: addblob_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.incrby"), alias: None, handler: incrby_fn, flags: "write deny-oom fast" },
    Command { name: Some("mmvec.info"), alias: None, handler: info_fn, flags: "readonly" },
    Command { name: Some("mmvec.sync"), alias: None, handler: sync_fn, flags: "readonly" },
    Command { name: Some("mmvec.putat"), alias: None, handler: put_at_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.puttext"), alias: None, handler: put_text_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.splice"), alias: None, handler: splice_fn, flags: "write deny-oom" },
    Command { name: Some("mmvec.setlen"), alias: None, handler: set_len_fn, flags: "write" },
    Command { name: Some("mmvec.bind"), alias: None, handler: bind_fn, flags: "write deny-oom" },
    Command { name: None, alias: Some("vall"), handler: all_fn, flags: "readonly" },
    Command { name: None, alias: Some("vtype"), handler: dtype_fn, flags: "readonly fast" },
    Command { name: None, alias: Some("vsize"), handler: itemsize_fn, flags: "readonly fast" },
    Command { name: None, alias: Some("vfilepath"), handler: file_path_fn, flags: "readonly fast" },
];

/// Registers every namespaced command (a failure fails the load) and, if `aliases`,
/// every alias (a RedisMMap command name): under its own name where that is free; where the server has a command
/// of that name, through the command filter if the clash has a rule for the command's owner
/// (`filter::CLASHES`: Redis 8's vector-set `VADD`), else not at all. Either is logged,
/// never a load failure.
pub fn register_all(ctx: &Context, aliases: bool) -> Result<(), ()> {
    let mmvec_category = add_mmvec_category(ctx);
    let mut routed = Vec::new();
    for command in COMMANDS {
        if let Some(name) = command.name
            && !create(ctx, name, command, mmvec_category)
        {
            ctx.log_warning(&format!("mmvec: could not register {name}"));
            return Err(());
        }
        let Some(alias) = command.alias.filter(|_| aliases) else {
            continue;
        };
        if !name_taken(ctx, alias) && create(ctx, alias, command, mmvec_category) {
            continue;
        }
        match filter::clash_for(alias).filter(|clash| owned_by(ctx, clash.owner, alias)) {
            Some(clash) => {
                ctx.log_notice(&format!(
                    "mmvec: {} is the server's own command; the seed's calls of it ({}) are served through a command filter as {}, every other call reaches the server's {}",
                    alias.to_uppercase(),
                    clash.shape,
                    clash.target,
                    alias.to_uppercase()
                ));
                routed.push(clash);
            }
            None => ctx.log_warning(&format!("mmvec: alias {} skipped: the name is taken", alias.to_uppercase())),
        }
    }
    if !filter::register(ctx, routed) {
        ctx.log_warning("mmvec: the command filter could not be registered; aliases of taken names are not served");
    }
    Ok(())
}

/// Adds the ACL category `@mmvec` (Redis 7.4+, Valkey 8+; it must be done in OnLoad);
/// whether the server has it now.
fn add_mmvec_category(ctx: &Context) -> bool {
    // SAFETY: Redis fills its API table before calling the module's OnLoad; entries a
    // server version lacks stay None.
    let Some(add_category) = (unsafe { raw::RedisModule_AddACLCategory }) else { return false };
    // SAFETY: the name is a NUL-terminated static string; Redis copies it.
    let added = unsafe { add_category(ctx.ctx, c"mmvec".as_ptr()) } == raw::REDISMODULE_OK as c_int;
    if !added {
        ctx.log_warning("mmvec: could not add the ACL category @mmvec");
    }
    added
}

fn create(ctx: &Context, name: &str, command: &Command, mmvec_category: bool) -> bool {
    // SAFETY: Redis fills its API table before calling the module's OnLoad.
    let api = unsafe { raw::RedisModule_CreateCommand };
    let (Ok(c_name), Ok(c_flags), Some(create)) = (CString::new(name), CString::new(command.flags), api) else {
        return false;
    };
    // SAFETY: both strings are NUL-terminated and outlive the call; Redis copies them.
    let status = unsafe { create(ctx.ctx, c_name.as_ptr(), Some(command.handler), c_flags.as_ptr(), 1, 1, 1) };
    status == raw::REDISMODULE_OK as c_int && set_acl_categories(ctx, &c_name, command.flags, mmvec_category)
}

/// Puts the command in `@read` or `@write`, `@fast` or `@slow`, and `@mmvec` where the
/// server has it, so ACL rules by category cover it. Redis 7.0 has no API for this (module
/// commands are in no category there: grant or deny them by name); from 7.2 it does, and
/// then it must succeed.
fn set_acl_categories(ctx: &Context, name: &CString, flags: &str, mmvec_category: bool) -> bool {
    // SAFETY: Redis fills its API table before calling the module's OnLoad; entries a
    // server version lacks stay None.
    let (Some(get_command), Some(set_categories)) =
        (unsafe { (raw::RedisModule_GetCommand, raw::RedisModule_SetCommandACLCategories) })
    else {
        return true;
    };
    let words: Vec<&str> = flags.split(' ').collect();
    let mut categories = vec![if words.contains(&"write") { "write" } else { "read" }];
    categories.push(if words.contains(&"fast") { "fast" } else { "slow" });
    if mmvec_category {
        categories.push("mmvec");
    }
    let Ok(categories) = CString::new(categories.join(" ")) else { return false };
    // SAFETY: the command was just created under this NUL-terminated name; both strings
    // outlive the calls.
    unsafe {
        let command = get_command(ctx.ctx, name.as_ptr());
        !command.is_null() && set_categories(command, categories.as_ptr()) == raw::REDISMODULE_OK as c_int
    }
}

/// Whether the server's command `name` belongs to the module `owner`.
fn owned_by(ctx: &Context, owner: &str, name: &str) -> bool {
    match ctx.call("COMMAND", &["LIST", "FILTERBY", "MODULE", owner]) {
        Ok(RedisValue::Array(names)) => names.iter().any(|listed| match listed {
            RedisValue::SimpleString(listed) | RedisValue::BulkString(listed) => listed.eq_ignore_ascii_case(name),
            RedisValue::StringBuffer(listed) => listed.eq_ignore_ascii_case(name.as_bytes()),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether the server already has a command by this name (`COMMAND INFO` answers nil otherwise).
fn name_taken(ctx: &Context, name: &str) -> bool {
    match ctx.call("COMMAND", &["INFO", name]) {
        Ok(RedisValue::Array(entries)) => !matches!(entries.first(), None | Some(RedisValue::Null)),
        _ => false,
    }
}
