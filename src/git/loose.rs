//! Writing blobs as git's loose objects, for the first commit of a freshly rendered project.
//!
//! Why not libgit2's `Repository::blob`: it sets up a new compressor for every object and
//! hashes with collision-detecting SHA-1, which together made the blobs most of the time of
//! `folio new`. Here one compressor is reset between objects and SHA-1 is the plain one: the
//! contents are folio's own rendered files, not bytes from someone who could craft a
//! collision. The format is git's: `zlib("blob <size>\0" + contents)` stored read-only at
//! `objects/<2 hex>/<38 hex>`. libgit2 still makes the trees, the commit and the index; the
//! trees and the commit are stored through here too (see `git::init_and_commit`).
//!
//! Each object is written as git writes one: into a temporary file in its fan-out folder, then
//! renamed to its name without replacing an existing one. A crash (or a full disk) therefore never
//! leaves a truncated object under a valid name, which matters with `--force`, where the
//! repository is made in the user's own folder rather than in a staging folder that is dropped.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use flate2::{Compress, Compression, FlushCompress, Status};
use git2::{ObjectType, Oid};
use sha1::{Digest, Sha1};

pub struct LooseWriter {
    objects: PathBuf,
    compress: Compress,
    buffer: Vec<u8>,
    /// Fan-out folders already made, by their first byte.
    made: HashSet<u8>,
}

impl LooseWriter {
    /// A writer into `git_dir/objects`.
    pub fn new(git_dir: &Path) -> LooseWriter {
        LooseWriter {
            objects: git_dir.join("objects"),
            // Git's own default for loose objects (core.looseCompression) is level 1.
            compress: Compress::new(Compression::fast(), true),
            buffer: Vec::new(),
            made: HashSet::new(),
        }
    }

    /// Stores `contents` as a blob (once, however often it is written) and returns its id.
    pub fn blob(&mut self, contents: &[u8]) -> io::Result<Oid> {
        self.write(ObjectType::Blob, contents)
    }

    /// Stores an object of any kind, given its contents in git's format.
    pub fn write(&mut self, kind: ObjectType, contents: &[u8]) -> io::Result<Oid> {
        let header = format!("{} {}\0", kind.str(), contents.len());
        let digest = Sha1::new()
            .chain_update(header.as_bytes())
            .chain_update(contents)
            .finalize();
        let id = Oid::from_bytes(&digest).map_err(io::Error::other)?;
        let hex = id.to_string();
        let dir = self.objects.join(&hex[..2]);
        if self.made.insert(digest[0]) {
            match fs::create_dir(&dir) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
        }
        let path = dir.join(&hex[2..]);
        if path.exists() {
            return Ok(id);
        }
        self.deflate(header.as_bytes(), contents)?;
        write_read_only(&path, &self.buffer)?;
        Ok(id)
    }

    /// Compresses `header` then `contents` into one zlib stream in `self.buffer`.
    fn deflate(&mut self, header: &[u8], contents: &[u8]) -> io::Result<()> {
        self.compress.reset();
        self.buffer.clear();
        self.buffer.reserve(contents.len() / 2 + 64);
        for (input, last) in [(header, false), (contents, true)] {
            let flush = if last {
                FlushCompress::Finish
            } else {
                FlushCompress::None
            };
            let mut rest = input;
            loop {
                if self.buffer.capacity() - self.buffer.len() < 64 {
                    self.buffer.reserve(self.buffer.capacity().max(256));
                }
                let before = self.compress.total_in();
                let status = self
                    .compress
                    .compress_vec(rest, &mut self.buffer, flush)
                    .map_err(io::Error::other)?;
                rest = &rest[(self.compress.total_in() - before) as usize..];
                match status {
                    Status::StreamEnd => return Ok(()),
                    Status::Ok | Status::BufError if !rest.is_empty() || last => continue,
                    Status::Ok | Status::BufError => break,
                }
            }
        }
        Ok(())
    }
}

/// Writes a new object file atomically: a temporary file beside it, then a rename that does
/// not replace. One that already exists has the same contents (its name is their hash): another
/// writer got there first, which is fine.
fn write_read_only(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix("tmp_obj_");
    // Created read-only, as git does; the open descriptor may still write it.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o444));
    let mut temp = builder.tempfile_in(dir)?;
    io::Write::write_all(&mut temp, bytes)?;
    match temp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_what_git_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut writer = LooseWriter::new(repo.path());
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for contents in [&b""[..], b"hello\n", &big, b"hello\n"] {
            let id = writer.blob(contents).unwrap();
            assert_eq!(
                id,
                Oid::hash_object(git2::ObjectType::Blob, contents).unwrap()
            );
            let blob = repo.find_blob(id).unwrap();
            assert_eq!(blob.content(), contents);
        }
    }

    #[test]
    fn objects_are_renamed_into_place_read_only_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let id = LooseWriter::new(repo.path()).blob(b"atomic\n").unwrap();
        let hex = id.to_string();
        let fan_out = repo.path().join("objects").join(&hex[..2]);
        let names: Vec<String> = fs::read_dir(&fan_out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [hex[2..].to_string()], "only the object itself");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(fan_out.join(&hex[2..]))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o444);
        }
        // A second writer of the same object (another thread, a rerun) is not an error.
        assert_eq!(LooseWriter::new(repo.path()).blob(b"atomic\n").unwrap(), id);
    }
}
