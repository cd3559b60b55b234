//! Behaviour of MappedVec against real files: modes, locking, refusals, growth, shrinking.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use mmvec_core::{DType, Effect, Error, MappedVec, Mode, OpenOptions, Scalar};

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v.bin");
    (dir, path)
}

fn open(path: &PathBuf, dtype: DType, mode: Mode) -> Result<MappedVec, Error> {
    MappedVec::open(path, OpenOptions::new(dtype, mode))
}

fn code<T>(result: Result<T, Error>) -> &'static str {
    result.err().map_or("ok", |e| e.code())
}

#[test]
fn append_mode_creates_and_file_size_is_always_the_count() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::Float64, Mode::Append).unwrap();
    assert_eq!(v.len(), 0);
    v.extend(&[Scalar::Float(0.5), Scalar::Float(1.5), Scalar::Float(2.5)]).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 24);
    assert_eq!(v.get(1).unwrap(), Scalar::Float(1.5));
    assert_eq!(v.pop().unwrap(), Some(Scalar::Float(2.5)));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 16);
    assert_eq!(v.clear().unwrap(), 2);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(v.pop().unwrap(), None);
}

#[test]
fn modes_follow_numpy() {
    let (_dir, path) = temp();
    assert_eq!(code(open(&path, DType::Float64, Mode::Read)), "ENOENT");
    assert_eq!(code(open(&path, DType::Float64, Mode::ReadWrite)), "ENOENT");
    std::fs::write(&path, 7f64.to_le_bytes().repeat(3)).unwrap();
    {
        let v = open(&path, DType::Float64, Mode::Append).unwrap();
        assert_eq!(v.len(), 3);
    }
    {
        let v = open(&path, DType::Float64, Mode::ReadWrite).unwrap();
        assert_eq!(v.len(), 3);
    }
    {
        let mut v = open(&path, DType::Float64, Mode::Read).unwrap();
        assert_eq!(v.get(2).unwrap(), Scalar::Float(7.0));
        assert_eq!(code(v.push(Scalar::Float(1.0))), "ERR_MMVEC_READ_ONLY");
        assert_eq!(code(v.set(0, &Scalar::Float(1.0))), "ERR_MMVEC_READ_ONLY");
        assert_eq!(code(v.pop()), "ERR_MMVEC_READ_ONLY");
        assert_eq!(code(v.clear()), "ERR_MMVEC_READ_ONLY");
        v.flush().unwrap();
    }
    let v = open(&path, DType::Float64, Mode::Create).unwrap();
    assert_eq!(v.len(), 0);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn refuses_sizes_that_are_not_whole_elements() {
    let (_dir, path) = temp();
    std::fs::write(&path, [0u8; 7]).unwrap();
    let err = open(&path, DType::Float64, Mode::Append).unwrap_err();
    assert_eq!(err.code(), "ERR_MMVEC_BAD_SIZE");
    assert_eq!(err.to_string(), format!("size of {} is 7 bytes, not a multiple of 8 (float64)", path.display()));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 7, "nothing is truncated");
    assert_eq!(open(&path, DType::UInt8, Mode::Read).unwrap().len(), 7);
}

#[cfg(unix)]
#[test]
fn refuses_directories_and_fifos() {
    let (dir, _) = temp();
    let err = open(&dir.path().to_path_buf(), DType::Float64, Mode::Append).unwrap_err();
    assert_eq!(err.code(), "ERR_MMVEC_NOT_REGULAR_FILE");
    assert_eq!(err.to_string(), format!("not a regular file: {}", dir.path().display()));
    let fifo = dir.path().join("fifo");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: c_path is a valid NUL-terminated string.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    for mode in [Mode::Read, Mode::ReadWrite, Mode::Append, Mode::Create] {
        assert_eq!(code(open(&fifo, DType::Float64, mode)), "ERR_MMVEC_NOT_REGULAR_FILE");
    }
    assert_eq!(code(open(&PathBuf::from("/dev/null"), DType::UInt8, Mode::Read)), "ERR_MMVEC_NOT_REGULAR_FILE");
}

#[test]
fn missing_parent_directory_is_enoent() {
    let (dir, _) = temp();
    let path = dir.path().join("no/such/dir/v.bin");
    let err = open(&path, DType::Float64, Mode::Append).unwrap_err();
    assert_eq!(err.code(), "ENOENT");
}

#[test]
fn one_writer_per_file_readers_welcome() {
    let (_dir, path) = temp();
    let mut first = open(&path, DType::Int32, Mode::Append).unwrap();
    first.push(Scalar::Int(42)).unwrap();
    let err = open(&path, DType::Int32, Mode::ReadWrite).unwrap_err();
    assert_eq!(err.code(), "ERR_MMVEC_LOCKED");
    assert_eq!(err.to_string(), format!("{} is locked by another writer", path.display()));
    assert_eq!(code(open(&path, DType::Int32, Mode::Create)), "ERR_MMVEC_LOCKED");
    assert_eq!(first.len(), 1, "a refused w+ truncates nothing");
    let reader = open(&path, DType::Int32, Mode::Read).unwrap();
    assert_eq!(reader.get(0).unwrap(), Scalar::Int(42));
    let shared = first.share();
    drop(first);
    let second = open(&path, DType::Int32, Mode::Append).unwrap();
    assert_eq!(second.len(), 1, "the lock is released on drop even while a view lives");
    drop(shared);
}

#[test]
fn growth_remaps_rarely_and_old_views_stay_readable() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::Float64, Mode::Append).unwrap();
    v.push(Scalar::Float(1.0)).unwrap();
    let early = v.share().unwrap();
    let first_capacity = v.mapped_bytes();
    let mut remaps = 0;
    let mut capacity = first_capacity;
    for i in 0..200_000 {
        v.push(Scalar::Float(i as f64)).unwrap();
        if v.mapped_bytes() != capacity {
            remaps += 1;
            capacity = v.mapped_bytes();
        }
    }
    assert!(remaps <= 6, "remapped {remaps} times for 200k appends");
    assert_eq!(v.len(), 200_001);
    assert_eq!(v.get(200_000).unwrap(), Scalar::Float(199_999.0));
    // SAFETY: the shared region is still mapped and its 8 bytes are backed by the file.
    let first = unsafe { std::slice::from_raw_parts(early.as_ptr(), early.len()) };
    assert_eq!(first, 1f64.to_le_bytes());
    assert_eq!(std::fs::read(&path).unwrap(), v.as_bytes());
}

#[test]
fn set_many_and_extend_are_all_or_nothing() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::Int8, Mode::Append).unwrap();
    v.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]).unwrap();
    let err = v.set_many(&[(0, Scalar::Int(9)), (5, Scalar::Int(9))]).unwrap_err();
    assert_eq!(err.to_string(), "index 5 is out of range for length 3");
    let err = v.set_many(&[(0, Scalar::Int(9)), (1, Scalar::Int(999))]).unwrap_err();
    assert_eq!(err.to_string(), "value '999' is not valid for int8: out of range");
    let err = v.extend(&[Scalar::Int(4), Scalar::Float(0.5)]).unwrap_err();
    assert_eq!(err.to_string(), "value '0.5' is not valid for int8: not an integer");
    assert_eq!(v.as_bytes(), &[1, 2, 3]);
    v.set_many(&[(0, Scalar::Int(-1)), (2, Scalar::Float(7.0))]).unwrap();
    assert_eq!(v.as_bytes(), &[255, 2, 7]);
}

#[test]
fn byte_writes_check_length_and_gaps() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::UInt16, Mode::Append).unwrap();
    assert_eq!(code(v.append_bytes(&[1, 2, 3])), "ERR_MMVEC_BAD_LENGTH");
    v.append_bytes(&[1, 0, 2, 0]).unwrap();
    assert_eq!(code(v.write_bytes_at(3, &[0, 0])), "ERR_MMVEC_OUT_OF_RANGE");
    v.write_bytes_at(1, &[9, 0, 10, 0, 11, 0]).unwrap();
    assert_eq!(v.len(), 4);
    assert_eq!(std::fs::read(&path).unwrap(), [1, 0, 9, 0, 10, 0, 11, 0]);
    assert_eq!(v.range(1, 3).unwrap(), &[9, 0, 10, 0]);
    assert_eq!(code(v.range(3, 5)), "ERR_MMVEC_OUT_OF_RANGE");
    assert_eq!(code(v.range(3, 2)), "ERR_MMVEC_OUT_OF_RANGE");
    assert_eq!(code(v.truncate(5)), "ERR_MMVEC_OUT_OF_RANGE");
    v.resize(6).unwrap();
    assert_eq!(v.get(5).unwrap(), Scalar::UInt(0));
    v.truncate(1).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), [1, 0]);
    assert_eq!(code(v.resize(u64::MAX)), "ERR_MMVEC_OUT_OF_RANGE");
    assert_eq!(code(v.get(u64::MAX)), "ERR_MMVEC_OUT_OF_RANGE");
}

#[test]
fn flusher_works_from_another_thread() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::Float32, Mode::Append).unwrap();
    v.extend(&vec![Scalar::Float(0.25); 1000]).unwrap();
    let flusher = v.flusher().unwrap();
    std::thread::spawn(move || flusher.flush()).join().unwrap().unwrap();
    v.flush_async().unwrap();
    v.flush().unwrap();
}

#[test]
fn huge_sparse_file_opens_without_reading_it() {
    let (_dir, path) = temp();
    let count: u64 = 1_000_000_000;
    std::fs::File::create(&path).unwrap().set_len(count * 8).unwrap();
    let started = std::time::Instant::now();
    let mut v = open(&path, DType::Float64, Mode::ReadWrite).unwrap();
    assert_eq!(v.len() as u64, count);
    v.set(count - 1, &Scalar::Float(3.5)).unwrap();
    assert_eq!(v.get(count - 1).unwrap(), Scalar::Float(3.5));
    assert_eq!(v.get(0).unwrap(), Scalar::Float(0.0));
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn a_writer_never_shrinks_pages_from_under_a_reader() {
    let (_dir, path) = temp();
    let mut writer = open(&path, DType::Float64, Mode::Append).unwrap();
    writer.extend(&vec![Scalar::Float(1.0); 4]).unwrap();
    let reader = open(&path, DType::Float64, Mode::Read).unwrap();
    let err = writer.pop().unwrap_err();
    assert_eq!(err.code(), "ERR_MMVEC_HAS_READERS");
    assert_eq!(
        err.to_string(),
        format!("{} is mapped by a reader: shrinking it now would crash that reader", path.display())
    );
    assert_eq!(code(writer.clear()), "ERR_MMVEC_HAS_READERS");
    assert_eq!(writer.len(), 4, "a refused shrink changes nothing");
    writer.push(Scalar::Float(2.0)).unwrap();
    assert_eq!(reader.len(), 4, "a reader keeps the length it opened with");
    assert_eq!(reader.get(3).unwrap(), Scalar::Float(1.0));
    drop(reader);
    assert_eq!(writer.pop().unwrap(), Some(Scalar::Float(2.0)));
    let reader = open(&path, DType::Float64, Mode::Read).unwrap();
    drop(writer);
    assert_eq!(code(open(&path, DType::Float64, Mode::Create)), "ERR_MMVEC_HAS_READERS");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 32, "a refused w+ truncates nothing");
    drop(reader);
    assert_eq!(open(&path, DType::Float64, Mode::Create).unwrap().len(), 0);
}

#[test]
fn increments_check_the_type() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::UInt8, Mode::Append).unwrap();
    v.push(Scalar::Int(250)).unwrap();
    assert_eq!(v.increment(0, &Scalar::Int(5)).unwrap(), Scalar::UInt(255));
    assert_eq!(code(v.increment(0, &Scalar::Int(1))), "ERR_MMVEC_BAD_VALUE");
    assert_eq!(code(v.increment(1, &Scalar::Int(1))), "ERR_MMVEC_OUT_OF_RANGE");
    assert_eq!(v.as_bytes(), &[255]);
}

#[test]
fn paths_with_nul_bytes_are_refused() {
    let err = MappedVec::open("a\0b", OpenOptions::default()).unwrap_err();
    assert_eq!(err.code(), "ERR_MMVEC_BAD_PATH");
    assert_eq!(err.to_string(), "bad path 'a\\0b': contains a NUL byte");
}

#[test]
fn deferred_shrinks_wait_for_readers_and_settle_later() {
    let (_dir, path) = temp();
    let mut writer = open(&path, DType::Int16, Mode::Append).unwrap();
    writer.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3), Scalar::Int(4)]).unwrap();
    let reader = open(&path, DType::Int16, Mode::Read).unwrap();
    writer.resize_deferred(1).unwrap();
    assert_eq!(writer.len(), 1);
    assert!(writer.has_pending_shrink());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 8, "the reader's pages stay backed");
    assert_eq!(reader.get(3).unwrap(), Scalar::Int(4));
    writer.resize(3).unwrap();
    assert_eq!(writer.as_bytes(), &[1, 0, 0, 0, 0, 0], "regrowth over leftovers reads zeros");
    writer.push(Scalar::Int(9)).unwrap();
    assert_eq!(writer.as_bytes(), &[1, 0, 0, 0, 0, 0, 9, 0]);
    writer.resize_deferred(2).unwrap();
    writer.settle().unwrap();
    assert!(writer.has_pending_shrink(), "still blocked by the reader");
    drop(reader);
    writer.settle().unwrap();
    assert!(!writer.has_pending_shrink());
    assert_eq!(std::fs::read(&path).unwrap(), [1, 0, 0, 0]);
}

#[test]
fn held_shrinks_keep_the_file_until_released() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::UInt8, Mode::Append).unwrap();
    v.extend(&[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)]).unwrap();
    v.hold_shrinks(true);
    assert_eq!(v.pop().unwrap(), Some(Scalar::UInt(3)));
    v.clear().unwrap();
    assert_eq!(v.len(), 0);
    assert_eq!(std::fs::read(&path).unwrap(), [1, 2, 3], "a fork child may still read these pages");
    v.settle().unwrap();
    assert!(v.has_pending_shrink());
    v.push(Scalar::Int(7)).unwrap();
    assert_eq!(v.as_bytes(), &[7]);
    v.hold_shrinks(false);
    v.settle().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), [7]);
}

#[test]
fn chunks_and_rebuild_carry_a_tail_of_elements_not_in_the_file() {
    let (_dir, path) = temp();
    let mut v = open(&path, DType::Int16, Mode::Append).unwrap();
    v.append_bytes(&[1, 0, 2, 0, 3, 0]).unwrap();
    let tail = [4, 0, 5, 0];
    let runs: Vec<(u64, &[u8])> = v.chunks_then(&tail, 4).collect();
    assert_eq!(runs, [(0, &[1, 0, 2, 0][..]), (2, &[3, 0][..]), (3, &tail[..])]);
    assert_eq!(v.chunks(4).collect::<Vec<_>>(), runs[..2]);
    let effects: Vec<Effect> = v.rebuild_then(&tail, 4).collect();
    assert_eq!(effects.last(), Some(&Effect::SetLen(5)));
    let (_other_dir, other_path) = temp();
    let mut rebuilt = open(&other_path, DType::Int16, Mode::Append).unwrap();
    effects.iter().for_each(|effect| rebuilt.apply(effect).unwrap());
    assert_eq!(rebuilt.as_bytes(), [1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 6, "the tail is not written to the file");
}
