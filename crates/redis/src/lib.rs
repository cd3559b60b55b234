//! mmvec-redis: the Redis module. Binds keys to vector files and serves commands over
//! them; every command translates its arguments, calls `mmvec-core`, and replies.
//!
//! Load with `loadmodule /path/libmmvec_redis.so [DIR path] [ALIASES yes|no]`.

// Unit tests may unwrap and panic; the library may not (Cargo.toml [workspace.lints]).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod api;
mod commands;
mod dispatch;
mod durability;
mod effects;
mod filter;
mod fork;
mod group_commit;
mod info;
mod keys;
mod limits;
mod module_args;
mod persistence;
mod registry;
mod reply;
mod snapshot;
mod vector_key;

use redis_module::configuration::ConfigurationFlags;
use redis_module::{Context, InfoContext, RedisResult, RedisString, Status, redis_module};

use crate::durability::{FSYNC, Fsync};
use crate::info::section as info_section;
use crate::limits::MAX_BYTES;
use crate::persistence::VECTOR_TYPE;
use crate::snapshot::{SNAPSHOT, Snapshot};

fn init(ctx: &Context, args: &[RedisString]) -> Status {
    let settings = match module_args::parse(args) {
        Ok(settings) => settings,
        Err(message) => {
            ctx.log_warning(&format!("mmvec: {message}"));
            return Status::Err;
        }
    };
    ctx.set_module_options(redis_module::raw::ModuleOptions::HANDLE_IO_ERRORS);
    ctx.log_notice(&format!("mmvec: files are confined to {}", settings.root.dir().display()));
    let aliases = settings.aliases;
    if module_args::install(settings).is_err() {
        ctx.log_warning("mmvec: the module is already loaded");
        return Status::Err;
    }
    if registry::register_all(ctx, aliases).is_err() {
        return Status::Err;
    }
    if !fork::subscribe(ctx, vector_key::settle_all) {
        ctx.log_warning("mmvec: cannot follow fork children; shrinks during BGSAVE may kill the child");
    }
    if !group_commit::subscribe(ctx) {
        ctx.log_warning("mmvec: cannot follow the event loop; every append is written before its reply");
    }
    durability::start_syncer();
    vector_key::start_retries(ctx);
    Status::Ok
}

/// Redis's allocator inside redis-server; the system's in unit tests, which run without
/// Redis (its allocator is a function pointer Redis fills at load).
#[cfg(not(test))]
type Allocator = redis_module::alloc::RedisAlloc;
#[cfg(not(test))]
const ALLOCATOR: Allocator = redis_module::alloc::RedisAlloc;
#[cfg(test)]
type Allocator = std::alloc::System;
#[cfg(test)]
const ALLOCATOR: Allocator = std::alloc::System;

redis_module! {
    name: "mmvec",
    version: 1,
    allocator: (Allocator, ALLOCATOR),
    data_types: [VECTOR_TYPE],
    init: init,
    info: info_section,
    commands: [],
    configurations: [
        i64: [
            ["max-bytes", &MAX_BYTES, 0, 0, i64::MAX, ConfigurationFlags::DEFAULT, None],
        ],
        string: [],
        bool: [],
        enum: [
            ["fsync", &FSYNC, Fsync::everysec, ConfigurationFlags::DEFAULT, None],
            ["snapshot", &SNAPSHOT, Snapshot::path, ConfigurationFlags::DEFAULT, None],
        ],
        module_args_as_configuration: false,
    ]
}
