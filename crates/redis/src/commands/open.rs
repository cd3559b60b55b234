//! `MMVEC.OPEN key path [TYPE dtype] [READONLY] [FORMAT raw|npy]`, and `MMAP` as the seed module (RedisMMap)
//! has it: `MMAP key path` (a float64 file, read-write, created if missing), and its full
//! version's form `MMAP key path value_type [value_size] [writable]`.

use mmvec_core::{DType, Format};
use redis_module::{Context, ContextFlags, RedisError};

use crate::commands::integer;
use crate::dispatch::Args;
use crate::effects::{self, Emitter};
use crate::keys::Key;
use crate::module_args;
use crate::reply::Reply;
use crate::vector_key::{Binding, VectorKey, core_error};

/// What an open asks for, and which parts it stated rather than defaulted.
struct Request {
    binding: Binding,
    explicit_type: bool,
    explicit_mode: bool,
    explicit_format: bool,
}

/// `MMVEC.OPEN`: the namespaced syntax only.
pub fn open(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    bind(ctx, args, parse_options(args)?)
}

/// `MMAP`: RedisMMap's `MMAP key path`, its full version's positional form, or the
/// namespaced options.
pub fn mmap(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    let first = args.text(3).unwrap_or_default().to_ascii_uppercase();
    let request = if args.len() == 3 || first == "TYPE" || first == "READONLY" || first == "FORMAT" {
        parse_options(args)?
    } else {
        parse_seed_form(args)?
    };
    bind(ctx, args, request)
}

fn bind(ctx: &Context, args: &Args, mut request: Request) -> Result<(), RedisError> {
    let root = module_args::root().ok_or(RedisError::Str("ERR mmvec is not initialised"))?;
    request.binding.path = root.portable(&request.binding.path).map_err(core_error)?;
    let name = args.raw(1);
    let mut key = Key::write(ctx.ctx, name)?;
    let count = match key.vector()? {
        Some(existing) => {
            check_same_binding(existing, &request)?;
            if existing.unavailable_reason().is_some() {
                // The file may have been put back since the load: try again.
                *existing = VectorKey::open(existing.binding.clone(), false).map_err(core_error)?;
                effects::rebuild(&Emitter::replicate(ctx)?, name, existing)?;
                effects::notify(ctx, c"mmvec.open", name)?;
            }
            existing.count()
        }
        None => {
            let vector = if ctx.get_flags().contains(ContextFlags::LOADING) {
                // Replaying the AOF: the file was created when this OPEN first ran. If it
                // is gone now, keep the key with the error rather than re-create it empty
                // (the writes replayed next would then leave zeros counted as values).
                VectorKey::reopen(request.binding, None)
            } else if request.explicit_type {
                VectorKey::open(request.binding, true).map_err(core_error)?
            } else {
                VectorKey::open_untyped(request.binding, true).map_err(core_error)?
            };
            let count = vector.count();
            // A key whose file is missing (only while replaying the AOF) is not sent on: the
            // AOF being replayed already holds its OPEN.
            if vector.vec().is_ok() {
                effects::rebuild(&Emitter::replicate(ctx)?, name, &vector)?;
            }
            key.set(vector)?;
            effects::notify(ctx, c"mmvec.open", name)?;
            count
        }
    };
    Reply::new(ctx).int(i64::try_from(count).unwrap_or(i64::MAX));
    Ok(())
}

/// `key path [TYPE dtype] [READONLY] [FORMAT raw|npy]`, options in any order, each at
/// most once. Without `FORMAT`, a path ending in `.npy` is a numpy file.
fn parse_options(args: &Args) -> Result<Request, RedisError> {
    let path = args.text(2)?.to_owned();
    let format = Format::of_path(std::path::Path::new(&path));
    let mut request = Request {
        binding: Binding { path, dtype: DType::default(), readonly: false, format },
        explicit_type: false,
        explicit_mode: false,
        explicit_format: false,
    };
    let mut i = 3;
    while i < args.len() {
        match args.text(i)?.to_ascii_uppercase().as_str() {
            "TYPE" if !request.explicit_type && i + 1 < args.len() => {
                request.binding.dtype = DType::from_name(args.text(i + 1)?).map_err(core_error)?;
                request.explicit_type = true;
                i += 2;
            }
            "READONLY" if !request.explicit_mode => {
                request.binding.readonly = true;
                request.explicit_mode = true;
                i += 1;
            }
            "FORMAT" if !request.explicit_format && i + 1 < args.len() => {
                request.binding.format = Format::from_name(args.text(i + 1)?).map_err(core_error)?;
                request.explicit_format = true;
                i += 2;
            }
            _ => return Err(RedisError::Str("ERR syntax error")),
        }
    }
    Ok(request)
}

/// `key path value_type [value_size] [writable]`: read-only unless `writable`, as in
/// RedisMMap's full version. `string` takes its width from `value_size` (`string 8` is
/// `bytes8`); for any other type a `value_size` must be the type's size.
fn parse_seed_form(args: &Args) -> Result<Request, RedisError> {
    if args.len() > 6 {
        return Err(RedisError::WrongArity);
    }
    let path = args.text(2)?.to_owned();
    let name = args.text(3)?;
    // Any type but `string` is known before its size, and an unknown one is refused first.
    let named = match name.eq_ignore_ascii_case(DType::BYTES.sized_alias) {
        true => None,
        false => Some(DType::from_name(name).map_err(core_error)?),
    };
    let (mut writable, mut size) = (false, None);
    for i in 4..args.len() {
        if args.text(i)?.eq_ignore_ascii_case("writable") && !writable {
            writable = true;
        } else if size.is_none() {
            let value_size = integer(args, i, "value_size")?;
            // A named type's size is checked where it stands, before what follows it.
            if let Some(dtype) = named.filter(|dtype| value_size != dtype.itemsize() as i64) {
                return Err(RedisError::String(format!(
                    "ERR value_size {value_size} does not match {dtype}, whose itemsize is {}",
                    dtype.itemsize()
                )));
            }
            size = Some(value_size);
        } else {
            return Err(RedisError::Str("ERR syntax error"));
        }
    }
    let dtype = match (named, size) {
        (Some(dtype), _) => dtype,
        (None, Some(size)) if size < 0 => {
            return Err(RedisError::String(format!("ERR value_size {size} is not a width of 1 to 65536 bytes")));
        }
        (None, size) => DType::with_value_size(name, size.map(|size| size as u64)).map_err(core_error)?,
    };
    let format = Format::of_path(std::path::Path::new(&path));
    let binding = Binding { path, dtype, readonly: !writable, format };
    Ok(Request { binding, explicit_type: true, explicit_mode: true, explicit_format: false })
}

/// Reopening a bound key is fine if it names the same file (after resolving), and the
/// same type and mode where the request states them.
fn check_same_binding(existing: &VectorKey, wanted: &Request) -> Result<(), RedisError> {
    let root = module_args::root().ok_or(RedisError::Str("ERR mmvec is not initialised"))?;
    let resolve = |path: &str| root.resolve(path).map_err(core_error);
    let current = &existing.binding;
    if resolve(&current.path)? != resolve(&wanted.binding.path)? {
        return Err(RedisError::Str("ERR key is already mapped to another file"));
    }
    if wanted.explicit_type && current.dtype != wanted.binding.dtype {
        return Err(RedisError::String(format!("ERR key is already mapped as {}", current.dtype)));
    }
    if wanted.explicit_format && current.format != wanted.binding.format {
        return Err(RedisError::String(format!("ERR key is already mapped as a {} file", current.format)));
    }
    if wanted.explicit_mode && current.readonly != wanted.binding.readonly {
        let mode = if current.readonly { "read-only" } else { "read-write" };
        return Err(RedisError::String(format!("ERR key is already mapped {mode}")));
    }
    Ok(())
}
