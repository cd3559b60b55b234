//! `MMVEC.OPEN key path [TYPE dtype] [READONLY]`, and the seed's `MMAP key path` with its
//! full version's form `MMAP key path value_type [value_size] [writable]`.

use mmvec_core::DType;
use redis_module::{Context, RedisError};

use crate::commands::integer;
use crate::dispatch::Args;
use crate::effects;
use crate::module_args;
use crate::reply::Reply;
use crate::vector_key::{Binding, VECTOR_TYPE, VectorKey, core_error};

pub fn open(ctx: &Context, args: &Args) -> Result<(), RedisError> {
    if args.len() < 3 {
        return Err(RedisError::WrongArity);
    }
    let (binding, explicit_type) = parse(args)?;
    let name = args.string(1);
    let key = ctx.open_key_writable(&name);
    let count = match key
        .get_value::<VectorKey>(&VECTOR_TYPE)
        .map_err(|_| RedisError::WrongType)?
    {
        Some(existing) => {
            check_same_binding(existing, &binding, explicit_type)?;
            if existing.unavailable_reason().is_some() {
                // The file may have been put back since the load: try again.
                *existing = VectorKey::open(existing.binding.clone()).map_err(core_error)?;
            }
            existing.count()
        }
        None => {
            let vector = VectorKey::open(binding.clone()).map_err(core_error)?;
            let count = vector.count();
            key.set_value(&VECTOR_TYPE, vector)?;
            effects::open(ctx, &name, &binding);
            effects::notify(ctx, "mmvec.open", &name);
            count
        }
    };
    Reply::new(ctx).int(i64::try_from(count).unwrap_or(i64::MAX));
    Ok(())
}

/// The binding an `OPEN`/`MMAP` asks for, and whether it named a type.
fn parse(args: &Args) -> Result<(Binding, bool), RedisError> {
    let path = args.text(2)?.to_owned();
    let first = args.text(3).unwrap_or_default().to_ascii_uppercase();
    if args.len() == 3 || first == "TYPE" || first == "READONLY" {
        parse_options(args, path)
    } else {
        parse_seed_form(args, path)
    }
}

/// `[TYPE dtype] [READONLY]`, in any order.
fn parse_options(args: &Args, path: String) -> Result<(Binding, bool), RedisError> {
    let mut binding = Binding {
        path,
        dtype: DType::default(),
        readonly: false,
    };
    let mut explicit_type = false;
    let mut i = 3;
    while i < args.len() {
        match args.text(i)?.to_ascii_uppercase().as_str() {
            "TYPE" if !explicit_type && i + 1 < args.len() => {
                binding.dtype = DType::from_name(args.text(i + 1)?).map_err(core_error)?;
                explicit_type = true;
                i += 2;
            }
            "READONLY" if !binding.readonly => {
                binding.readonly = true;
                i += 1;
            }
            _ => return Err(RedisError::Str("ERR syntax error")),
        }
    }
    Ok((binding, explicit_type))
}

/// `value_type [value_size] [writable]`: read-only unless `writable`, as in the seed's
/// full version; `value_size` must be the type's size (strings are not supported).
fn parse_seed_form(args: &Args, path: String) -> Result<(Binding, bool), RedisError> {
    if args.len() > 6 {
        return Err(RedisError::WrongArity);
    }
    let dtype = DType::from_name(args.text(3)?).map_err(core_error)?;
    let mut writable = false;
    for i in 4..args.len() {
        if args.text(i)?.eq_ignore_ascii_case("writable") && !writable {
            writable = true;
        } else {
            let size = integer(args, i, "value_size")?;
            if size != dtype.itemsize() as i64 {
                return Err(RedisError::String(format!(
                    "ERR value_size {size} does not match {dtype} ({} bytes)",
                    dtype.itemsize()
                )));
            }
        }
    }
    Ok((
        Binding {
            path,
            dtype,
            readonly: !writable,
        },
        true,
    ))
}

/// Reopening a bound key is fine if it names the same file (after resolving) and type.
fn check_same_binding(
    existing: &VectorKey,
    wanted: &Binding,
    explicit_type: bool,
) -> Result<(), RedisError> {
    let root = module_args::root().ok_or(RedisError::Str("ERR mmvec is not initialised"))?;
    let resolve = |path: &str| root.resolve(path).map_err(core_error);
    if resolve(&existing.binding.path)? != resolve(&wanted.path)? {
        return Err(RedisError::Str("ERR key is already mapped to another file"));
    }
    if explicit_type && existing.binding.dtype != wanted.dtype {
        return Err(RedisError::String(format!(
            "ERR key is already mapped as {}",
            existing.binding.dtype
        )));
    }
    Ok(())
}
