//! Keys opened straight from a command's argv. The crate's `RedisKey` wants a retained
//! `RedisString` (a retain and a release per command); every command's hot path opens a
//! key, so this does the same with the raw API and nothing else.

use std::ffi::c_int;

use redis_module::{RedisError, raw};

use crate::api::api;
use crate::persistence::VECTOR_TYPE;
use crate::vector_key::VectorKey;

const NO_SUCH_KEY: RedisError = RedisError::Str("ERR no such key");

/// An open key, closed when dropped.
pub struct Key {
    key: *mut raw::RedisModuleKey,
}

impl Key {
    /// Opens `name` for reading; a missing key opens as empty.
    pub fn read(ctx: *mut raw::RedisModuleCtx, name: *mut raw::RedisModuleString) -> Result<Key, RedisError> {
        Key::open(ctx, name, raw::REDISMODULE_READ as c_int)
    }

    /// Opens `name` for writing (which also marks it modified for `WATCH`).
    pub fn write(ctx: *mut raw::RedisModuleCtx, name: *mut raw::RedisModuleString) -> Result<Key, RedisError> {
        Key::open(ctx, name, (raw::REDISMODULE_READ | raw::REDISMODULE_WRITE) as c_int)
    }

    fn open(ctx: *mut raw::RedisModuleCtx, name: *mut raw::RedisModuleString, mode: c_int) -> Result<Key, RedisError> {
        let open = api!(RedisModule_OpenKey);
        // SAFETY: ctx and name come from the running command's call.
        Ok(Key { key: unsafe { open(ctx, name, mode) }.cast() })
    }

    pub fn is_empty(&self) -> Result<bool, RedisError> {
        let key_type = api!(RedisModule_KeyType);
        // SAFETY: KeyType accepts the NULL that OpenKey returns for a missing key read.
        Ok(unsafe { key_type(self.key) } == raw::REDISMODULE_KEYTYPE_EMPTY as c_int)
    }

    /// The vector under the key, its held-back appends written first (so every command
    /// sees the file as the vector is): `None` if the key is empty, `WRONGTYPE` if it
    /// holds another type.
    pub fn vector(&mut self) -> Result<Option<&mut VectorKey>, RedisError> {
        match self.held_vector()? {
            Some(vector) => {
                vector.write_appended()?;
                Ok(Some(vector))
            }
            None => Ok(None),
        }
    }

    /// The vector under a key a write needs: a missing key is an error.
    pub fn existing_vector(&mut self) -> Result<&mut VectorKey, RedisError> {
        self.vector()?.ok_or(NO_SUCH_KEY)
    }

    /// As [`Key::existing_vector`] for an append, which may join the held-back appends.
    pub fn vector_to_append(&mut self) -> Result<&mut VectorKey, RedisError> {
        self.held_vector()?.ok_or(NO_SUCH_KEY)
    }

    fn held_vector(&mut self) -> Result<Option<&mut VectorKey>, RedisError> {
        if self.is_empty()? {
            return Ok(None);
        }
        let (get_type, get_value) = (api!(RedisModule_ModuleTypeGetType), api!(RedisModule_ModuleTypeGetValue));
        // SAFETY: the key is open and not empty; only values of our type are cast, and
        // Redis runs one command at a time, so no other reference to the value exists.
        unsafe {
            if get_type(self.key) != *VECTOR_TYPE.raw_type.borrow() {
                return Err(RedisError::WrongType);
            }
            Ok(get_value(self.key).cast::<VectorKey>().as_mut())
        }
    }

    /// Stores `vector` under the (empty, writable) key.
    pub fn set(&self, vector: VectorKey) -> Result<(), RedisError> {
        let set_value = api!(RedisModule_ModuleTypeSetValue);
        let value = vector.into_raw();
        // SAFETY: the key is open for writing; on success Redis owns the box and frees it
        // through the type's `free`, on failure it is ours to drop.
        unsafe {
            if set_value(self.key, *VECTOR_TYPE.raw_type.borrow(), value.cast()) == raw::REDISMODULE_OK as c_int {
                Ok(())
            } else {
                drop(Box::from_raw(value));
                Err(RedisError::Str("ERR could not store the vector"))
            }
        }
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: as in `api!`; CloseKey accepts NULL.
        if let Some(close) = unsafe { raw::RedisModule_CloseKey } {
            // SAFETY: the key was opened by this value and is closed once.
            unsafe { close(self.key) };
        }
    }
}
