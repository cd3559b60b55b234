//! `mmvec.snapshot path|data`: what an RDB snapshot (and `DUMP`, and a full sync)
//! carries for each vector. `path`: the binding only; the file owns the data. `data`: the
//! elements too, so a node without the file (a replica, a `RESTORE`, a cluster slot
//! migration) can reproduce it.

use std::sync::Mutex;

use redis_module::enum_configuration;

enum_configuration! {
    #[allow(non_camel_case_types)]
    #[derive(Debug, PartialEq)]
    pub enum Snapshot {
        path = 0,
        data = 1,
    }
}

pub static SNAPSHOT: Mutex<Snapshot> = Mutex::new(Snapshot::path);

pub fn carries_data() -> bool {
    SNAPSHOT.lock().map(|mode| *mode == Snapshot::data).unwrap_or(false)
}

/// Elements per chunk are what fits 1 MiB: bounded memory while saving and loading.
pub const CHUNK_BYTES: usize = 1 << 20;
