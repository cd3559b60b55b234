//! Property tests: random operation sequences on a MappedVec, compared after every step
//! with a plain byte-vector model and with the file on disk, across reopens, for every
//! dtype, raw and `.npy` (whose file must be the header with the model's length, then the
//! model, after every step); and the effect stream those operations propagate, replayed
//! from any suffix onto any later state, converging to the same bytes (on `.npy` files too,
//! whose shape must then be the length). The dtypes include every `float16`, `bfloat16`,
//! `float80` bit pattern and `bytes<N>` of several widths, with values of every kind
//! (a value the dtype cannot hold must be refused and change nothing).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mmvec_core::half::{bf16, f16};
use mmvec_core::{DType, Effect, Float80, MappedVec, Mode, OpenOptions, Scalar, npy};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Push(Vec<Scalar>),
    Set(Vec<(u64, Scalar)>),
    /// A set whose values arrive as text, as a Redis client sends them.
    SetText(Vec<(u64, Scalar)>),
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
        any::<u16>().prop_map(|bits| Scalar::F16(f16::from_bits(bits))),
        any::<u16>().prop_map(|bits| Scalar::BF16(bf16::from_bits(bits))),
        any::<[u8; 10]>().prop_map(|bytes| Scalar::F80(Float80::from_le_bytes(&bytes))),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Scalar::Bytes),
    ]
}

/// Every fixed-size dtype, and `bytes<N>` of a few widths (odd, the atomic sizes, wide).
fn dtype() -> impl Strategy<Value = DType> {
    let mut all = DType::ALL.to_vec();
    all.extend([1, 3, 8, 16, 300].map(|width| DType::bytes(width).expect("a valid width")));
    prop::sample::select(all)
}

/// The dtypes a `.npy` header can name: all but bfloat16.
fn npy_dtype() -> impl Strategy<Value = DType> {
    dtype().prop_filter("bfloat16 has no .npy descr", |dtype| *dtype != DType::BFloat16)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::collection::vec(scalar(), 0..20).prop_map(Op::Push),
        3 => prop::collection::vec((0u64..40, scalar()), 1..5).prop_map(Op::Set),
        3 => prop::collection::vec((0u64..40, scalar()), 1..5).prop_map(Op::SetText),
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
    dtype.encode(&value, &mut out).ok().map(|_| out)
}

/// Each value as a client's text and that text parsed as `dtype` (`None` if refused).
fn through_text(dtype: DType, pairs: &[(u64, Scalar)]) -> Option<Vec<(u64, Vec<u8>, Scalar)>> {
    pairs
        .iter()
        .map(|(i, v)| v.with_text(|text| dtype.parse(text).ok().map(|parsed| (*i, text.to_vec(), parsed))))
        .collect()
}

/// Applies `op` to the model; returns whether the real vector must succeed.
fn apply(model: &mut Vec<u8>, dtype: DType, op: &Op) -> bool {
    let size = dtype.itemsize();
    let len = (model.len() / size) as u64;
    match op {
        Op::SetText(pairs) => match through_text(dtype, pairs) {
            Some(parsed) => apply(model, dtype, &Op::Set(parsed.into_iter().map(|(i, _, v)| (i, v)).collect())),
            None => false,
        },
        Op::Push(values) => {
            let encoded: Option<Vec<Vec<u8>>> = values.iter().map(|v| encode(dtype, v.clone())).collect();
            let Some(encoded) = encoded else { return false };
            encoded.iter().for_each(|e| model.extend_from_slice(e));
            true
        }
        Op::Set(pairs) => {
            let mut writes = Vec::new();
            for (i, v) in pairs {
                let Some(e) = encode(dtype, v.clone()) else {
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

fn run(dtype: DType, ops: Vec<Op>, file_name: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let path = dir.path().join(file_name);
    let options = OpenOptions::new(dtype, Mode::Append);
    let mut vec = MappedVec::open(&path, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut model: Vec<u8> = Vec::new();
    for op in &ops {
        let before = model.clone();
        let should_succeed = apply(&mut model, dtype, op);
        let outcome = match op {
            Op::Push(values) => vec.extend(values).map(|_| ()),
            Op::Set(pairs) => vec.set_many(pairs),
            Op::SetText(pairs) => match through_text(dtype, pairs) {
                Some(parsed) => vec.set_many(&parsed.into_iter().map(|(i, _, v)| (i, v)).collect::<Vec<_>>()),
                // A text the dtype refuses never reaches the vector; the model refuses it too.
                None => Err(mmvec_core::Error::ReadOnly),
            },
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
        let (header, data) = on_disk.split_at(vec.data_offset());
        prop_assert_eq!(data, &model[..]);
        if file_name.ends_with(".npy") {
            let header = npy::Header::parse(header).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!((header.dtype, header.len), (dtype, (model.len() / dtype.itemsize()) as u64));
        }
        if let Some(last) = vec.len().checked_sub(1) {
            let got = vec.get(last as u64).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(format!("{got:?}"), format!("{:?}", dtype.decode(&model[last * dtype.itemsize()..])));
        }
    }
    Ok(())
}

/// An [`Effect`] with its bytes copied out of the vector that produced it.
#[derive(Clone, Debug)]
enum OwnedEffect {
    PutMany(Vec<(u64, Vec<u8>)>),
    PutText(Vec<(u64, Vec<u8>)>),
    Splice(u64, Vec<u8>),
    SetLen(u64),
}

impl OwnedEffect {
    fn of(effect: &Effect) -> OwnedEffect {
        match *effect {
            Effect::PutAt { start, bytes } => OwnedEffect::PutMany(vec![(start, bytes.to_vec())]),
            Effect::PutMany(writes) => OwnedEffect::PutMany(writes.iter().map(|&(i, b)| (i, b.to_vec())).collect()),
            Effect::PutText(writes) => OwnedEffect::PutText(writes.iter().map(|&(i, t)| (i, t.to_vec())).collect()),
            Effect::Splice { start, bytes } => OwnedEffect::Splice(start, bytes.to_vec()),
            Effect::SetLen(len) => OwnedEffect::SetLen(len),
        }
    }

    fn apply(&self, vec: &mut MappedVec) -> mmvec_core::Result<()> {
        match self {
            OwnedEffect::PutMany(writes) => {
                let writes: Vec<(u64, &[u8])> = writes.iter().map(|(i, b)| (*i, b.as_slice())).collect();
                match writes.as_slice() {
                    [(start, bytes)] => vec.apply(&Effect::PutAt { start: *start, bytes }),
                    _ => vec.apply(&Effect::PutMany(&writes)),
                }
            }
            OwnedEffect::PutText(writes) => {
                let writes: Vec<(u64, &[u8])> = writes.iter().map(|(i, t)| (*i, t.as_slice())).collect();
                vec.apply(&Effect::PutText(&writes))
            }
            OwnedEffect::Splice(start, bytes) => vec.apply(&Effect::Splice { start: *start, bytes }),
            OwnedEffect::SetLen(len) => vec.apply(&Effect::SetLen(*len)),
        }
    }
}

/// Performs a client operation and returns the effect it propagates, built from the
/// vector after the write as the Redis module builds it (`None`: nothing changed).
fn perform(vec: &mut MappedVec, op: &Op) -> mmvec_core::Result<Option<OwnedEffect>> {
    let effect = match op {
        Op::Push(values) => {
            let start = vec.len() as u64;
            vec.extend(values)?;
            OwnedEffect::of(&Effect::splice_from(vec, start)?)
        }
        Op::Set(pairs) => {
            vec.set_many(pairs)?;
            let writes = pairs.iter().map(|(i, _)| Effect::element(vec, *i)).collect::<mmvec_core::Result<Vec<_>>>()?;
            OwnedEffect::of(&Effect::PutMany(&writes))
        }
        Op::SetText(pairs) => {
            // As `MMVEC.SET`: the values parsed from the client's text are written, and the
            // text itself is the effect.
            let Some(parsed) = through_text(vec.dtype(), pairs) else { return Ok(None) };
            vec.set_many(&parsed.iter().map(|(i, _, v)| (*i, v.clone())).collect::<Vec<_>>())?;
            let writes: Vec<(u64, &[u8])> = parsed.iter().map(|(i, text, _)| (*i, text.as_slice())).collect();
            OwnedEffect::of(&Effect::PutText(&writes))
        }
        Op::Pop => match vec.pop()? {
            Some(_) => OwnedEffect::of(&Effect::length_of(vec)),
            None => return Ok(None),
        },
        Op::Clear => match vec.clear()? {
            0 => return Ok(None),
            _ => OwnedEffect::of(&Effect::length_of(vec)),
        },
        Op::Truncate(n) => {
            vec.truncate(*n)?;
            OwnedEffect::of(&Effect::length_of(vec))
        }
        Op::Resize(n) => {
            vec.resize(*n)?;
            OwnedEffect::of(&Effect::length_of(vec))
        }
        Op::WriteAt(start, bytes) => {
            vec.write_bytes_at(*start, bytes)?;
            OwnedEffect::of(&Effect::PutAt { start: *start, bytes })
        }
        Op::Reopen => return Ok(None),
    };
    Ok(Some(effect))
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// For a `.npy` file: its header's shape is the vector's length.
fn shape_is_length(path: &std::path::Path, vec: &MappedVec) -> Result<(), TestCaseError> {
    if vec.data_offset() > 0 {
        let bytes = std::fs::read(path).map_err(fail)?;
        let header = npy::Header::parse(&bytes[..vec.data_offset()]).map_err(|e| fail(format!("{e:?}")))?;
        prop_assert_eq!(header.len, vec.len() as u64);
    }
    Ok(())
}

/// A writable vector at `path` holding exactly `bytes` (after a header, for a `.npy` path).
fn vector_with(path: &std::path::Path, dtype: DType, bytes: &[u8]) -> Result<MappedVec, TestCaseError> {
    let mut file = Vec::new();
    if path.extension().is_some_and(|ext| ext == "npy") {
        let len = (bytes.len() / dtype.itemsize()) as u64;
        file = npy::Header::new(dtype).map_err(fail)?.with_len(len).encode().ok_or_else(|| fail("no room"))?;
    }
    file.extend_from_slice(bytes);
    std::fs::write(path, file).map_err(fail)?;
    MappedVec::open(path, OpenOptions::new(dtype, Mode::ReadWrite)).map_err(fail)
}

/// Runs `ops`, recording the state after each and the effect stream; then replays every
/// suffix of the stream onto every state at or after the point where the suffix begins,
/// and the rebuild protocol (a snapshot's chunks and length) onto every state: each must
/// end in the final bytes.
fn converges(dtype: DType, ops: Vec<Op>, extension: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().map_err(fail)?;
    let path = dir.path().join(format!("v.{extension}"));
    let mut vec = MappedVec::open(&path, OpenOptions::new(dtype, Mode::Append)).map_err(fail)?;
    // states[k] is the state after the first k effects; effects[k] leads from states[k].
    let mut states = vec![vec.as_bytes().to_vec()];
    let mut effects = Vec::new();
    for op in &ops {
        if let Ok(Some(effect)) = perform(&mut vec, op) {
            effects.push(effect);
            states.push(vec.as_bytes().to_vec());
        }
    }
    let last = vec.as_bytes().to_vec();
    let rebuild: Vec<OwnedEffect> = vec.rebuild(64).map(|effect| OwnedEffect::of(&effect)).collect();
    drop(vec);
    let replica = dir.path().join(format!("replica.{extension}"));
    for from in 0..effects.len() {
        for state in &states[from..] {
            let mut vec = vector_with(&replica, dtype, state)?;
            for effect in &effects[from..] {
                effect.apply(&mut vec).map_err(fail)?;
            }
            prop_assert_eq!(vec.as_bytes(), &last[..], "effects {}.. onto {:?}", from, state);
            shape_is_length(&replica, &vec)?;
        }
    }
    for state in &states {
        let mut vec = vector_with(&replica, dtype, state)?;
        for effect in &rebuild {
            effect.apply(&mut vec).map_err(fail)?;
        }
        prop_assert_eq!(vec.as_bytes(), &last[..], "rebuild onto {:?}", state);
        shape_is_length(&replica, &vec)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn matches_a_byte_model(dtype in dtype(), ops in prop::collection::vec(op(), 1..60)) {
        run(dtype, ops, "v.bin")?;
    }

    #[test]
    fn an_npy_file_matches_the_model_and_its_header_the_length(
        dtype in npy_dtype(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        run(dtype, ops, "v.npy")?;
    }

    #[test]
    fn any_suffix_of_the_effect_stream_converges(
        dtype in dtype(),
        ops in prop::collection::vec(op(), 1..30),
    ) {
        converges(dtype, ops, "bin")?;
    }

    #[test]
    fn the_effect_stream_converges_on_npy_files_too(
        dtype in npy_dtype(),
        ops in prop::collection::vec(op(), 1..30),
    ) {
        converges(dtype, ops, "npy")?;
    }
}
