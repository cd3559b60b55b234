//! Property test: random operation sequences on a MappedVec, compared after every step
//! with a plain byte-vector model and with the file on disk, across reopens, for every dtype.

use mmvec_core::{DType, MappedVec, Mode, OpenOptions, Scalar};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Push(Vec<Scalar>),
    Set(Vec<(u64, Scalar)>),
    Pop,
    Clear,
    Truncate(u64),
    Resize(u64),
    WriteAt(u64, Vec<u8>),
    Reopen,
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        any::<i64>().prop_map(Scalar::Int),
        (-300i64..300).prop_map(Scalar::Int),
        any::<u64>().prop_map(Scalar::UInt),
        any::<f64>().prop_map(Scalar::Float),
        (-1000i32..1000).prop_map(|v| Scalar::Float(v as f64 / 4.0)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(scalar(), 0..20).prop_map(Op::Push),
        3 => prop::collection::vec((0u64..40, scalar()), 1..5).prop_map(Op::Set),
        2 => Just(Op::Pop),
        1 => Just(Op::Clear),
        1 => (0u64..50).prop_map(Op::Truncate),
        1 => (0u64..50).prop_map(Op::Resize),
        2 => ((0u64..50), prop::collection::vec(any::<u8>(), 0..64)).prop_map(|(s, b)| Op::WriteAt(s, b)),
        1 => Just(Op::Reopen),
    ]
}

fn encode(dtype: DType, value: Scalar) -> Option<Vec<u8>> {
    let mut out = vec![0u8; dtype.itemsize()];
    dtype.encode(value, &mut out).ok().map(|_| out)
}

/// Applies `op` to the model; returns whether the real vector must succeed.
fn apply(model: &mut Vec<u8>, dtype: DType, op: &Op) -> bool {
    let size = dtype.itemsize();
    let len = (model.len() / size) as u64;
    match op {
        Op::Push(values) => {
            let encoded: Option<Vec<Vec<u8>>> = values.iter().map(|v| encode(dtype, *v)).collect();
            let Some(encoded) = encoded else { return false };
            encoded.iter().for_each(|e| model.extend_from_slice(e));
            true
        }
        Op::Set(pairs) => {
            let mut writes = Vec::new();
            for (i, v) in pairs {
                let Some(e) = encode(dtype, *v) else {
                    return false;
                };
                if *i >= len {
                    return false;
                }
                writes.push((*i as usize * size, e));
            }
            for (at, e) in writes {
                model[at..at + size].copy_from_slice(&e);
            }
            true
        }
        Op::Pop => {
            model.truncate(model.len().saturating_sub(size));
            true
        }
        Op::Clear => {
            model.clear();
            true
        }
        Op::Truncate(n) => {
            if *n > len {
                return false;
            }
            model.truncate(*n as usize * size);
            true
        }
        Op::Resize(n) => {
            model.resize(*n as usize * size, 0);
            true
        }
        Op::WriteAt(start, bytes) => {
            if !bytes.len().is_multiple_of(size) || *start > len {
                return false;
            }
            let at = *start as usize * size;
            if model.len() < at + bytes.len() {
                model.resize(at + bytes.len(), 0);
            }
            model[at..at + bytes.len()].copy_from_slice(bytes);
            true
        }
        Op::Reopen => true,
    }
}

fn run(dtype: DType, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join("v.bin");
    let options = OpenOptions::new(dtype, Mode::Append);
    let mut vec = MappedVec::open(&path, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut model: Vec<u8> = Vec::new();
    for op in &ops {
        let before = model.clone();
        let should_succeed = apply(&mut model, dtype, op);
        let outcome = match op {
            Op::Push(values) => vec.extend(values).map(|_| ()),
            Op::Set(pairs) => vec.set_many(pairs),
            Op::Pop => vec.pop().map(|_| ()),
            Op::Clear => vec.clear().map(|_| ()),
            Op::Truncate(n) => vec.truncate(*n),
            Op::Resize(n) => vec.resize(*n),
            Op::WriteAt(start, bytes) => vec.write_bytes_at(*start, bytes),
            Op::Reopen => {
                drop(vec);
                vec = MappedVec::open(&path, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
                Ok(())
            }
        };
        prop_assert_eq!(outcome.is_ok(), should_succeed, "{:?} -> {:?}", op, outcome.err());
        if !should_succeed {
            prop_assert_eq!(&model, &before);
        }
        prop_assert_eq!(vec.as_bytes(), &model[..]);
        prop_assert_eq!(vec.len(), model.len() / dtype.itemsize());
        let on_disk = std::fs::read(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&on_disk, &model);
        if let Some(last) = vec.len().checked_sub(1) {
            let got = vec.get(last as u64).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(format!("{got:?}"), format!("{:?}", dtype.decode(&model[last * dtype.itemsize()..])));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn matches_a_byte_model(dtype in prop::sample::select(DType::ALL.to_vec()), ops in prop::collection::vec(op(), 1..60)) {
        run(dtype, ops)?;
    }
}
