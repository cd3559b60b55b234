//! Seed aliases whose name the server's own command already has: Redis 8's vector sets own
//! `VADD`. Such an alias is served through a command filter that takes over only the call
//! shapes the built-in command would reject, and rewrites them to the namespaced command;
//! every other call reaches the built-in untouched. An alias with no such rule, or whose
//! name another module took, is skipped.

use std::ffi::c_int;
use std::sync::OnceLock;

use redis_module::{Context, raw};

/// An alias the server may own, and the calls of it that cannot be the server's.
pub struct Clash {
    /// The alias, lower-case.
    pub alias: &'static str,
    /// The module the server's command of that name belongs to (as `COMMAND DOCS` names
    /// it): only its call shapes are known, so a name taken by anything else is skipped.
    pub owner: &'static str,
    /// The namespaced command the filter rewrites those calls to.
    pub target: &'static str,
    /// The calls rewritten, as the load log names them.
    pub shape: &'static str,
    /// Whether a call with this argument after the key cannot be the built-in's. A call
    /// with nothing after the key is always left to the built-in.
    pub ours: fn(after_key: &[u8]) -> bool,
}

/// `VADD key number …` (the seed's append) is never a vector-set call: vector sets' `VADD`
/// takes `REDUCE`, `FP32` or `VALUES` right after the key.
pub const CLASHES: &[Clash] = &[Clash {
    alias: "vadd",
    owner: "vectorset",
    target: "MMVEC.ADD",
    shape: "VADD key value …, the value not REDUCE, FP32 or VALUES",
    ours: not_a_vector_set_add,
}];

fn not_a_vector_set_add(after_key: &[u8]) -> bool {
    !["REDUCE", "FP32", "VALUES"].iter().any(|word| after_key.eq_ignore_ascii_case(word.as_bytes()))
}

/// The clash rule for `alias`, if it has one.
pub fn clash_for(alias: &str) -> Option<&'static Clash> {
    CLASHES.iter().find(|clash| clash.alias == alias)
}

/// The clashes routed on this server, fixed at load.
static ROUTED: OnceLock<Vec<&'static Clash>> = OnceLock::new();

/// Registers the filter for `routed` (nothing to do if it is empty); `false` if the server
/// refused it.
pub fn register(ctx: &Context, routed: Vec<&'static Clash>) -> bool {
    if routed.is_empty() {
        return true;
    }
    if ROUTED.set(routed).is_err() {
        return false;
    }
    // SAFETY: Redis fills its API table before calling OnLoad, where this runs.
    let Some(register) = (unsafe { raw::RedisModule_RegisterCommandFilter }) else { return false };
    // SAFETY: the callback has the signature Redis expects and lives for the process.
    let filter = unsafe { register(ctx.ctx, Some(route), raw::REDISMODULE_CMDFILTER_NOSELF as c_int) };
    !filter.is_null()
}

/// Runs before every command the server executes, so a call with fewer than three
/// arguments (`GET key`) costs one count, and any other one a look at its name.
extern "C" fn route(fctx: *mut raw::RedisModuleCommandFilterCtx) {
    let Some(routed) = ROUTED.get() else { return };
    // SAFETY: Redis fills its API table at load; the filter was registered after that.
    let (Some(count), Some(get), Some(replace), Some(create)) = (unsafe {
        (
            raw::RedisModule_CommandFilterArgsCount,
            raw::RedisModule_CommandFilterArgGet,
            raw::RedisModule_CommandFilterArgReplace,
            raw::RedisModule_CreateString,
        )
    }) else {
        return;
    };
    // SAFETY: fctx is the live filter context Redis passed for this call.
    let argc = unsafe { count(fctx) };
    if argc < 3 {
        return;
    }
    // The slices borrow the call's arguments, which live until the filter returns.
    let arg = |pos: c_int| -> Option<&[u8]> {
        // SAFETY: pos is below argc: one of the call's arguments.
        let string = unsafe { get(fctx, pos) };
        (!string.is_null()).then(|| redis_module::RedisString::string_as_slice(string))
    };
    let Some(name) = arg(0) else { return };
    let Some(clash) = routed.iter().find(|clash| name.eq_ignore_ascii_case(clash.alias.as_bytes())) else { return };
    if !arg(2).is_some_and(clash.ours) {
        return;
    }
    // SAFETY: a NULL context makes a string the caller owns; ArgReplace takes it over.
    unsafe {
        let target = create(std::ptr::null_mut(), clash.target.as_ptr().cast(), clash.target.len());
        if !target.is_null() {
            replace(fctx, 0, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(args: &[&str]) -> bool {
        clash_for("vadd").is_some_and(|clash| args.len() > 2 && (clash.ours)(args[2].as_bytes()))
    }

    #[test]
    fn the_seeds_vadd_is_routed() {
        assert!(call(&["VADD", "db", "0.0"]));
        assert!(call(&["vadd", "db", "1", "2", "3"]));
        assert!(call(&["VADD", "db", "reduced"]));
    }

    #[test]
    fn vector_set_calls_and_incomplete_calls_are_left_to_the_server() {
        for word in ["REDUCE", "reduce", "FP32", "fp32", "VALUES", "Values"] {
            assert!(!call(&["VADD", "vs", word, "3"]), "{word}");
        }
        assert!(!call(&["VADD", "vs"]));
    }
}
