//! The one entry point of every command: arguments without copies, and a last line of
//! defence that turns a panic into an error reply instead of aborting redis-server.

use std::ffi::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};

use redis_module::{Context, RedisError, RedisString, raw};

/// A command's arguments, read in place from Redis's argv.
pub struct Args<'a> {
    argv: &'a [*mut raw::RedisModuleString],
}

impl<'a> Args<'a> {
    pub fn len(&self) -> usize {
        self.argv.len()
    }

    /// The bytes of argument `i`; the caller has checked the arity.
    pub fn bytes(&self, i: usize) -> &'a [u8] {
        self.argv.get(i).map_or(&[], |&arg| RedisString::string_as_slice(arg))
    }

    /// Argument `i` as Redis's own string, to open a key or name it in an effect; the
    /// caller has checked the arity.
    pub fn raw(&self, i: usize) -> *mut raw::RedisModuleString {
        self.argv.get(i).copied().unwrap_or(std::ptr::null_mut())
    }

    /// The arguments from `i` on, as Redis's own strings, to pass on in an effect.
    pub fn raw_from(&self, i: usize) -> &'a [*mut raw::RedisModuleString] {
        self.argv.get(i..).unwrap_or(&[])
    }

    pub fn text(&self, i: usize) -> Result<&'a str, RedisError> {
        std::str::from_utf8(self.bytes(i)).map_err(|_| RedisError::Str("ERR argument is not valid UTF-8"))
    }
}

pub type Handler = fn(&Context, &Args) -> Result<(), RedisError>;

/// Runs `handler`, which replies itself on success; errors and panics are replied here.
pub fn dispatch(
    ctx: *mut raw::RedisModuleCtx,
    argv: *mut *mut raw::RedisModuleString,
    argc: c_int,
    handler: Handler,
) -> c_int {
    let context = Context::new(ctx);
    let argv = match usize::try_from(argc) {
        // SAFETY: Redis passes argc valid argument pointers in argv for the call's duration.
        Ok(count) if !argv.is_null() => unsafe { std::slice::from_raw_parts(argv, count) },
        _ => &[],
    };
    let args = Args { argv };
    match catch_unwind(AssertUnwindSafe(|| handler(&context, &args))) {
        Ok(Ok(())) => raw::REDISMODULE_OK as c_int,
        Ok(Err(RedisError::Str(message))) => reply_error(ctx, message),
        Ok(Err(RedisError::String(message))) => reply_error(ctx, &message),
        Ok(Err(other)) => context.reply(Err(other)) as c_int,
        Err(_) => {
            context.log_warning("mmvec: a command panicked; this is a bug in mmvec, please report it");
            reply_error(ctx, "ERR mmvec internal error (a bug; see the server log)")
        }
    }
}

/// Replies with an error, keeping UTF-8 intact (the crate's own error reply turns each
/// character into one byte).
fn reply_error(ctx: *mut raw::RedisModuleCtx, message: &str) -> c_int {
    // SAFETY: Redis fills its API table at load, before any command runs.
    let (Ok(line), Some(reply)) =
        (std::ffi::CString::new(error_line(message)), unsafe { raw::RedisModule_ReplyWithError })
    else {
        return raw::REDISMODULE_ERR as c_int;
    };
    // SAFETY: `line` is NUL-terminated and outlives the call; Redis copies it.
    unsafe { reply(ctx, line.as_ptr()) }
}

/// The message as one error line: CR, LF and NUL, which cannot travel in one, become
/// spaces and `\0`.
fn error_line(message: &str) -> String {
    message
        .chars()
        .map(|c| match c {
            '\r' | '\n' => " ".to_owned(),
            '\0' => "\\0".to_owned(),
            other => other.to_string(),
        })
        .collect()
}

/// Defines the `extern "C"` function Redis calls for a command, forwarding to `dispatch`.
macro_rules! command_fn {
    ($name:ident => $handler:path) => {
        pub extern "C" fn $name(
            ctx: *mut redis_module::raw::RedisModuleCtx,
            argv: *mut *mut redis_module::raw::RedisModuleString,
            argc: std::ffi::c_int,
        ) -> std::ffi::c_int {
            $crate::dispatch::dispatch(ctx, argv, argc, $handler)
        }
    };
}

pub(crate) use command_fn;

#[cfg(test)]
mod tests {
    use super::error_line;

    #[test]
    fn an_error_stays_one_line_and_keeps_its_utf8() {
        assert_eq!(error_line("ERR bad path 'a\r\nb'"), "ERR bad path 'a  b'");
        assert_eq!(error_line("ERR x\0y"), "ERR x\\0y");
        assert_eq!(error_line("ERR ünïcode ✓"), "ERR ünïcode ✓");
    }
}
