//! `.npy` files served in place: created with a valid header, reopened with the header's
//! dtype, the shape kept equal to the length, and every refusal with its exact text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use mmvec_core::{DType, Error, Format, MappedVec, Mode, OpenOptions, Restore, Scalar, checksum, npy};

fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    (dir, path)
}

fn header_of(path: &Path) -> npy::Header {
    let bytes = std::fs::read(path).expect("read");
    let (_, total) = npy::header_bytes(&bytes).expect("prefix");
    npy::Header::parse(&bytes[..total]).expect("header")
}

fn message<T>(result: Result<T, Error>) -> String {
    result.err().map(|e| format!("{}: {e}", e.code())).unwrap_or_default()
}

/// A header as numpy writes it for `dict`, padded to 64, then `data`.
fn numpy_file(path: &Path, dict: &str, data: &[u8]) {
    let total = (10 + dict.len() + 1).next_multiple_of(64);
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&((total - 10) as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out.extend_from_slice(data);
    std::fs::write(path, out).expect("write");
}

#[test]
fn a_new_npy_file_gets_a_header_and_its_shape_follows_the_length() {
    let (_dir, path) = temp("v.npy");
    let mut v = MappedVec::open(&path, OpenOptions::new(DType::Int32, Mode::Append)).expect("open");
    assert_eq!((v.format(), v.data_offset(), v.len()), (Format::Npy, 128, 0));
    assert_eq!(header_of(&path).len, 0);
    v.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]).expect("extend");
    assert_eq!(header_of(&path).len, 3);
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 12);
    assert_eq!(v.pop().expect("pop"), Some(Scalar::Int(3)));
    assert_eq!(header_of(&path).len, 2);
    v.resize(5).expect("resize");
    v.write_bytes_at(5, &[7, 0, 0, 0]).expect("write at end");
    assert_eq!(header_of(&path).len, 6);
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(&bytes[128..], &[1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]);
    let shared = v.share().expect("mapped");
    // SAFETY: the view covers `len` mapped bytes of a live region, and nothing writes them now.
    let view = unsafe { std::slice::from_raw_parts(shared.as_ptr(), shared.len()) };
    assert_eq!(view, v.as_bytes(), "a shared view starts at the data");
    assert_eq!(v.clear().expect("clear"), 6);
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128);
}

#[test]
fn reopening_takes_the_dtype_from_the_header() {
    let (_dir, path) = temp("v.npy");
    let mut v = MappedVec::open(&path, OpenOptions::new(DType::UInt16, Mode::Append)).expect("open");
    v.extend(&[Scalar::UInt(7), Scalar::UInt(8)]).expect("extend");
    drop(v);
    let v = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::Float64, Mode::Read)).expect("reopen");
    assert_eq!((v.dtype(), v.len()), (DType::UInt16, 2));
    drop(v);
    let given = MappedVec::open(&path, OpenOptions::new(DType::Float64, Mode::ReadWrite));
    assert_eq!(
        message(given),
        format!("ERR_MMVEC_DTYPE_MISMATCH: {} holds uint16 (its .npy header says so), not float64", path.display())
    );
}

#[test]
fn the_format_can_be_given_whatever_the_extension() {
    let (dir, path) = temp("v.bin");
    let v = MappedVec::open(&path, OpenOptions::new(DType::Float64, Mode::Append).format(Format::Npy)).expect("open");
    assert_eq!(v.format(), Format::Npy);
    drop(v);
    assert_eq!(header_of(&path).dtype, DType::Float64);
    let raw = dir.path().join("raw.npy");
    let v = MappedVec::open(&raw, OpenOptions::new(DType::UInt8, Mode::Append).format(Format::Raw)).expect("open");
    assert_eq!((v.format(), v.data_offset()), (Format::Raw, 0));
    assert_eq!(Format::of_path(Path::new("x.NPY")), Format::Npy);
    assert_eq!(message(Format::from_name("zip")), "ERR_MMVEC_BAD_FORMAT: unknown format 'zip' (expected raw or npy)");
}

#[test]
fn numpy_written_files_are_served_and_create_mode_starts_over() {
    let (_dir, path) = temp("v.npy");
    let data: Vec<u8> = [1.5f64, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    numpy_file(&path, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", &data);
    let mut v = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::Int8, Mode::ReadWrite)).expect("open");
    assert_eq!((v.dtype(), v.len(), v.get(1).expect("get")), (DType::Float64, 2, Scalar::Float(-2.0)));
    v.push(Scalar::Float(4.0)).expect("push");
    assert_eq!(header_of(&path).len, 3);
    drop(v);
    let v = MappedVec::open(&path, OpenOptions::new(DType::Int8, Mode::Create)).expect("w+");
    assert_eq!((v.dtype(), v.len()), (DType::Int8, 0));
    assert_eq!(header_of(&path).dtype, DType::Int8);
}

#[test]
fn bytes_past_the_shape_are_cut_by_a_writer_and_ignored_by_a_reader() {
    let (_dir, path) = temp("v.npy");
    // A growth that crashed before its shape was written: 2 elements counted, 3 present.
    numpy_file(&path, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", &[1, 2, 3]);
    let reader = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::UInt8, Mode::Read)).expect("reader");
    assert_eq!(reader.as_bytes(), &[1, 2]);
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 3, "a reader does not cut");
    drop(reader);
    let writer = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::UInt8, Mode::Append)).expect("writer");
    assert_eq!(writer.as_bytes(), &[1, 2]);
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 2, "a writer cuts");
}

/// A reader that opened before a shrink maps the old, longer shape: a writer that opens
/// meanwhile defers the cut until no reader is left, and serves the shape meanwhile.
#[cfg(target_os = "linux")]
#[test]
fn the_cut_waits_for_readers_of_the_longer_shape() {
    let (_dir, path) = temp("v.npy");
    numpy_file(&path, "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }", &[1, 0, 2, 0, 3, 0]);
    let reader = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::Int16, Mode::Read)).expect("reader");
    // The shape says 2 of the 3 elements and half of a fourth is there too.
    numpy_file(&path, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", &[1, 0, 2, 0, 3, 0, 9]);
    let mut writer = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::Int16, Mode::Append)).expect("writer");
    assert_eq!((writer.len(), writer.has_pending_shrink()), (2, true));
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 7, "not cut under the reader");
    writer.push(Scalar::Int(-1)).expect("push over the leftovers");
    writer.push(Scalar::Int(4)).expect("push past them");
    assert_eq!(writer.as_bytes(), &[1, 0, 2, 0, 0xff, 0xff, 4, 0]);
    assert_eq!(header_of(&path).len, 4);
    assert_eq!(reader.as_bytes(), &[1, 0, 2, 0, 0xff, 0xff]);
    assert_eq!(writer.pop().err().map(|e| e.code()), Some("ERR_MMVEC_HAS_READERS"));
    assert_eq!((writer.len(), header_of(&path).len), (4, 4), "a refused shrink leaves the shape");
    writer.resize_deferred(3).expect("a deferred shrink");
    assert_eq!(header_of(&path).len, 3);
    drop(reader);
    writer.settle().expect("settle");
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 6);
    assert_eq!((writer.has_pending_shrink(), header_of(&path).len), (false, 3));
}

#[test]
fn a_header_without_room_refuses_to_grow_and_changes_nothing() {
    let (_dir, path) = temp("v.npy");
    numpy_file(&path, "{'descr':'|u1','fortran_order':False,'shape':(9,)}", &[0; 9]);
    let mut v = MappedVec::open(&path, OpenOptions::defaulting_dtype(DType::UInt8, Mode::Append)).expect("open");
    v.resize(9_999).expect("four digits fit");
    assert_eq!(
        message(v.resize(99_999)),
        format!(
            "ERR_MMVEC_NPY_HEADER_FULL: the .npy header of {} has no room for 99999 elements: the shape needs 65 bytes of header, it has 64",
            path.display()
        )
    );
    assert_eq!(message(v.append_bytes(&vec![0; 90_000])), message(v.resize(99_999)));
    assert_eq!((v.len(), header_of(&path).len), (9_999, 9_999));
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 64 + 9_999);
}

#[test]
fn bad_npy_files_are_refused_with_the_reason() {
    let (dir, path) = temp("v.npy");
    let open = |path: &Path| MappedVec::open(path, OpenOptions::defaulting_dtype(DType::Float64, Mode::ReadWrite));
    let cases = [
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
            "ERR_MMVEC_UNSUPPORTED_NPY",
            "holds an array mmvec does not serve: shape (2, 3) is not 1-D: only 1-D arrays are supported",
        ),
        (
            "{'descr': '<f8', 'fortran_order': True, 'shape': (3,), }",
            "ERR_MMVEC_UNSUPPORTED_NPY",
            "holds an array mmvec does not serve: fortran_order is True: only C-order arrays are supported",
        ),
        (
            "{'descr': '<U3', 'fortran_order': False, 'shape': (3,), }",
            "ERR_MMVEC_UNSUPPORTED_NPY",
            "holds an array mmvec does not serve: unknown descr '<U3' (expected one of |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8, <f4, <f8, <f2, <f16, |S<N>)",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }",
            "ERR_MMVEC_NPY_SHORT_DATA",
            "says it holds 5 elements (40 bytes) but has 16 bytes of data",
        ),
    ];
    for (dict, code, text) in cases {
        numpy_file(&path, dict, &[0; 16]);
        assert_eq!(message(open(&path)), format!("{code}: {} {text}", path.display()), "{dict}");
    }
    numpy_file(&path, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", &[0; 16]);
    let whole = std::fs::read(&path).expect("read");
    std::fs::write(&path, &whole[..40]).expect("truncate");
    assert_eq!(
        message(open(&path)),
        format!(
            "ERR_MMVEC_BAD_NPY_HEADER: {} is not a .npy file mmvec can open: the file ends inside the header",
            path.display()
        )
    );
    let empty = dir.path().join("empty.npy");
    std::fs::write(&empty, b"").expect("write");
    assert_eq!(
        message(MappedVec::open(&empty, OpenOptions::new(DType::Float64, Mode::Read))),
        format!(
            "ERR_MMVEC_BAD_NPY_HEADER: {} is not a .npy file mmvec can open: the file ends inside the header",
            empty.display()
        )
    );
    let raw = dir.path().join("raw.npy");
    std::fs::write(&raw, [0u8; 16]).expect("write");
    assert_eq!(
        message(open(&raw)),
        format!(
            "ERR_MMVEC_BAD_NPY_HEADER: {} is not a .npy file mmvec can open: it does not start with the .npy magic \\x93NUMPY",
            raw.display()
        )
    );
}

#[test]
fn a_restore_recreates_the_header() {
    let (_dir, path) = temp("v.npy");
    let data: Vec<u8> = (1..=6).collect();
    let mut restore = Restore::begin(&path, DType::Int16, Format::Npy, 3).expect("begin");
    restore.write(&data).expect("chunk");
    let v = restore.finish(checksum(&data), OpenOptions::new(DType::Int16, Mode::Append)).expect("finish");
    assert_eq!((v.format(), v.as_bytes()), (Format::Npy, &data[..]));
    assert_eq!((header_of(&path).dtype, header_of(&path).len), (DType::Int16, 3));
    drop(v);
    let smaller = [9u8, 0];
    let mut restore = Restore::begin(&path, DType::Int16, Format::Npy, 1).expect("begin");
    restore.write(&smaller).expect("chunk");
    let v = restore.finish(checksum(&smaller), OpenOptions::new(DType::Int16, Mode::Append)).expect("in place");
    assert_eq!(v.as_bytes(), &smaller);
    assert_eq!(header_of(&path).len, 1);
    assert_eq!(std::fs::metadata(&path).expect("stat").len(), 128 + 2);
}

#[test]
fn bfloat16_has_no_npy_descr_and_no_file_is_made_for_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.npy");
    let options = OpenOptions::new(DType::BFloat16, Mode::Append);
    let err = MappedVec::open(&path, options).err().map(|e| (e.code(), e.to_string()));
    assert_eq!(err, Some(("ERR_MMVEC_NO_NPY_DESCR", "bfloat16 has no .npy descr: store it in a raw file".to_owned())));
    assert!(!path.exists());
    let raw = dir.path().join("b.bin");
    assert!(MappedVec::open(&raw, options).is_ok());
}
