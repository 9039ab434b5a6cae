//! The catalogue's packed form, compiled into topgen: every file of a catalogue directory
//! (relative path and bytes, in path order) in one zlib stream, so that the installed binary
//! needs no files beside it. `generator/tests/catalogue_pack.rs` keeps the pack equal to the
//! vendored `catalogue/top-docs`.

use std::path::Path;

/// The first bytes of an unpacked pack: the format and its version.
const MAGIC: &[u8] = b"topgen-catalogue-pack 1\n";

/// The pack's compression level: the best miniz_oxide has (decompression speed does not
/// depend on it).
const LEVEL: u8 = 10;

/// One file of a catalogue: its path under the catalogue directory (`category/file.json`,
/// `/`-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Packs `files` in the order given.
pub fn pack(files: &[File]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(files.iter().map(|f| f.path.len() + f.bytes.len() + 8).sum());
    raw.extend_from_slice(MAGIC);
    for file in files {
        for part in [file.path.as_bytes(), &file.bytes] {
            // Paths and docs are far below 4 GiB; the catalogue test checks the pack reads back.
            raw.extend_from_slice(&(part.len() as u32).to_le_bytes());
            raw.extend_from_slice(part);
        }
    }
    miniz_oxide::deflate::compress_to_vec_zlib(&raw, LEVEL)
}

/// The files of a pack, or why it is not one.
pub fn unpack(packed: &[u8]) -> Result<Vec<File>, String> {
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib(packed)
        .map_err(|e| format!("the catalogue pack does not decompress: {e:?}"))?;
    let mut rest = raw
        .strip_prefix(MAGIC)
        .ok_or("the catalogue pack has no header: not a topgen catalogue pack")?;
    let mut files = Vec::new();
    while !rest.is_empty() {
        let (path, after) = counted(rest)?;
        let (bytes, after) = counted(after)?;
        let path = String::from_utf8(path.to_vec())
            .map_err(|_| "the catalogue pack holds a path that is not UTF-8".to_owned())?;
        files.push(File {
            path,
            bytes: bytes.to_vec(),
        });
        rest = after;
    }
    Ok(files)
}

/// A length-prefixed part and what follows it.
fn counted(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    let truncated = || "the catalogue pack is truncated".to_owned();
    let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = u32::from_le_bytes(*len) as usize;
    if rest.len() < len {
        return Err(truncated());
    }
    Ok(rest.split_at(len))
}

/// Every `*.json` file under `dir` (docs and `catelog.json` files), in path order.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<File>> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<File>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        // A symlinked directory is not followed: a link to an ancestor would never end.
        if std::fs::symlink_metadata(&path)?.is_dir() {
            walk(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            files.push(File {
                path: crate::config::slashed(rel),
                bytes: std::fs::read(&path)?,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_and_unpacks_and_rejects_garbage() {
        let files = vec![
            File {
                path: "a/catelog.json".into(),
                bytes: r#"{"name":"甲"}"#.as_bytes().to_vec(),
            },
            File {
                path: "a/x.json".into(),
                bytes: Vec::new(),
            },
        ];
        let packed = pack(&files);
        assert_eq!(unpack(&packed).expect("unpacks"), files);
        assert!(unpack(b"not zlib").is_err());
        let unheaded = miniz_oxide::deflate::compress_to_vec_zlib(b"other", 1);
        assert!(unpack(&unheaded).unwrap_err().contains("no header"));
        let mut raw = MAGIC.to_vec();
        raw.extend_from_slice(&100u32.to_le_bytes());
        raw.extend_from_slice(b"short");
        let truncated = miniz_oxide::deflate::compress_to_vec_zlib(&raw, 1);
        assert!(unpack(&truncated).unwrap_err().contains("truncated"));
    }
}
