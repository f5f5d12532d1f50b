//! Stamps of the files and folders a build left in its output, taken a folder at a time: each
//! file is looked up by its name in its open folder, not by its whole path, which the kernel
//! would walk again component by component (most of the time of stamping 79,000 paths).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Every folder of an output with its files, each stamped.
#[derive(Serialize, Deserialize)]
pub struct OutputStamps(Vec<FolderStamps>);

/// One folder, by its path within the output ("" for the output itself), and its files.
#[derive(Serialize, Deserialize)]
struct FolderStamps {
    path: PathBuf,
    stamp: Stamp,
    files: Vec<(PathBuf, Stamp)>,
}

impl OutputStamps {
    /// Stamps `files` (paths within `output`) and every folder holding them; `None` when one
    /// cannot be stamped.
    pub fn take(output: &Path, files: &[&Path]) -> Option<OutputStamps> {
        let mut folders: HashMap<&Path, Vec<&OsStr>> = HashMap::new();
        for file in files {
            let folder = file.parent()?;
            let known = folders.contains_key(folder);
            folders.entry(folder).or_default().push(file.file_name()?);
            // A folder's parents are met with the folder, the first time.
            for ancestor in folder.ancestors().skip(1).take_while(|_| !known) {
                folders.entry(ancestor).or_default();
            }
        }
        let folders: Vec<(&Path, Vec<&OsStr>)> = folders.into_iter().collect();
        let stamped = folders.par_iter().map(|(path, names)| {
            let folder = Folder::open(&output.join(path))?;
            let stamp_of = |name: &&OsStr| Some((PathBuf::from(name), folder.stamp_of(name)?));
            Some(FolderStamps {
                path: path.to_path_buf(),
                stamp: folder.stamp()?,
                files: names.iter().map(stamp_of).collect::<Option<_>>()?,
            })
        });
        stamped.collect::<Option<_>>().map(OutputStamps)
    }

    /// Whether every folder and file is still as stamped: any write to a file moves its change
    /// time, and a file added or removed moves its folder's.
    pub fn hold(&self, output: &Path) -> bool {
        self.0.par_iter().all(|stamped| {
            Folder::open(&output.join(&stamped.path)).is_some_and(|folder| {
                folder.stamp() == Some(stamped.stamp)
                    && (stamped.files.iter())
                        .all(|(name, stamp)| folder.stamp_of(name.as_os_str()) == Some(*stamp))
            })
        })
    }
}

/// A file or folder as a build left it: its size, inode, and times of modification and of
/// change (which no one can set back: any write, rename or new link moves it to now).
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    inode: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

/// An open folder, whose files are stamped by name.
#[cfg(target_os = "linux")]
struct Folder(rustix::fd::OwnedFd);

#[cfg(target_os = "linux")]
impl Folder {
    fn open(path: &Path) -> Option<Folder> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        rustix::fs::open(path, flags, Mode::empty())
            .ok()
            .map(Folder)
    }

    fn stamp(&self) -> Option<Stamp> {
        rustix::fs::fstat(&self.0).ok().map(|stat| Stamp::of(&stat))
    }

    fn stamp_of(&self, name: &OsStr) -> Option<Stamp> {
        let flags = rustix::fs::AtFlags::SYMLINK_NOFOLLOW;
        let stat = rustix::fs::statat(&self.0, name, flags).ok()?;
        Some(Stamp::of(&stat))
    }
}

#[cfg(target_os = "linux")]
impl Stamp {
    // The fields' integer types differ between targets, hence the casts.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &rustix::fs::Stat) -> Stamp {
        Stamp {
            len: stat.st_size as u64,
            inode: stat.st_ino as u64,
            modified: (stat.st_mtime as i64, stat.st_mtime_nsec as i64),
            changed: (stat.st_ctime as i64, stat.st_ctime_nsec as i64),
        }
    }
}

/// A folder, elsewhere than on Linux: its files stamped by their whole paths.
#[cfg(not(target_os = "linux"))]
struct Folder(PathBuf);

#[cfg(not(target_os = "linux"))]
impl Folder {
    fn open(path: &Path) -> Option<Folder> {
        std::fs::symlink_metadata(path)
            .is_ok_and(|meta| meta.is_dir())
            .then(|| Folder(path.to_path_buf()))
    }

    fn stamp(&self) -> Option<Stamp> {
        std::fs::symlink_metadata(&self.0)
            .ok()
            .map(|meta| Stamp::of(&meta))
    }

    fn stamp_of(&self, name: &OsStr) -> Option<Stamp> {
        let meta = std::fs::symlink_metadata(self.0.join(name)).ok()?;
        Some(Stamp::of(&meta))
    }
}

#[cfg(not(target_os = "linux"))]
impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        let since_1970 = |time: std::io::Result<std::time::SystemTime>| {
            let time = time
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            let time = time.unwrap_or_default();
            (time.as_secs() as i64, i64::from(time.subsec_nanos()))
        };
        Stamp {
            len: meta.len(),
            inode: 0,
            modified: since_1970(meta.modified()),
            // No change time here: the creation time, where there is one.
            changed: since_1970(meta.created()),
        }
    }
}
