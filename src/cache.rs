//! The build cache: results that are slow to make and depend only on their inputs (rendered
//! Markdown, formatted citations, the search index), kept between builds in the user's cache folder.
//!
//! Like Hugo's `cacheDir`, it lives outside the site and the output: `$FOLIO_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/folio`, else `~/.cache/folio`, one folder per site. Every entry is keyed by
//! a 128-bit hash (XXH3) of its inputs and folio's version, so a stale entry is never used, only missed;
//! a cache that cannot be read or written is ignored (the build makes everything itself).
//! Deleting the folder is always safe. CI can keep it between runs like any dependency cache.

use siphasher::sip128::SipHasher13;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use xxhash_rust::xxh3::Xxh3;

/// The file whose time says when a build last used a site's folder.
const USED: &str = "last-used";
/// A folder of the cache whose entries are kept a file per key, so that a build reads only the
/// entries it needs, from any thread. A build that used a shelf evicts the entries it did not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shelf {
    /// Rendered Markdown texts.
    Renderings,
    /// Briefs' typeset PDFs, by the template and what it was given.
    Pdfs,
}

impl Shelf {
    const ALL: [Shelf; 2] = [Shelf::Renderings, Shelf::Pdfs];

    fn folder(self) -> &'static str {
        match self {
            Shelf::Renderings => "renderings",
            Shelf::Pdfs => "pdfs",
        }
    }
}

/// A site's folder in the cache, when there is a cache folder.
pub struct BuildCache {
    dir: Option<PathBuf>,
    /// The file of formatted citations: the preview's have its local address in them, so it
    /// keeps its own and never evicts the build's.
    citations_file: &'static str,
    /// The entries this build looked up or kept, by shelf: the others are evicted after it.
    used: Mutex<HashMap<Shelf, HashSet<Key>>>,
}

/// A hash of a cache entry's inputs and of the folio executable that made it (its version, size
/// and time): a rebuilt folio, whose citation style or indexer may differ, misses every entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(u128);

impl Key {
    pub fn of(inputs: impl Hash) -> Key {
        Key::of_each(inputs, std::iter::empty::<()>())
    }

    /// The key of `first` and each of `items`, hashed as they come.
    pub fn of_each<T: Hash>(first: impl Hash, items: impl Iterator<Item = T>) -> Key {
        let mut hasher = Xxh3::new();
        executable().hash(&mut hasher);
        first.hash(&mut hasher);
        items.for_each(|item| item.hash(&mut hasher));
        Key(hasher.digest128())
    }

    /// A key made by hashing a key of this kind (one made with `of`) with more inputs.
    pub fn from_hash(hash: u128) -> Key {
        Key(hash)
    }

    /// The key whose `bytes` are `bytes`.
    pub fn from_bytes(bytes: [u8; 16]) -> Key {
        Key(u128::from_le_bytes(bytes))
    }

    /// The key's bytes, to hash it with more inputs.
    pub fn bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    fn hex(self) -> String {
        format!("{:032x}", self.0)
    }

    /// The key whose `hex` is `hex`, if it is one.
    fn from_hex(hex: &str) -> Option<Key> {
        u128::from_str_radix(hex, 16).ok().map(Key)
    }
}

impl BuildCache {
    /// The cache folder of the site at `root` (none when no cache folder can be found): named
    /// by the site's path alone, so a new folio uses the same folder and evicts what it misses.
    pub fn for_site(root: &Path) -> BuildCache {
        let site = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let dir = cache_root().map(|dir| dir.join(format!("site-{:016x}", path_hash(&site))));
        BuildCache {
            dir,
            citations_file: "citations.json",
            used: Mutex::default(),
        }
    }

    /// No cache: every lookup misses and nothing is kept.
    pub fn disabled() -> BuildCache {
        BuildCache {
            dir: None,
            citations_file: "citations.json",
            used: Mutex::default(),
        }
    }

    /// The cache of `folio serve` for the site at `root`.
    pub fn for_preview(root: &Path) -> BuildCache {
        BuildCache {
            citations_file: "citations-preview.json",
            ..BuildCache::for_site(root)
        }
    }

    /// The formatted citations of the last build.
    pub fn citations(&self) -> HashMap<Key, String> {
        let Some(text) = self.read(self.citations_file) else {
            return HashMap::new();
        };
        let stored: HashMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
        stored
            .into_iter()
            .filter_map(|(key, html)| Some((Key::from_hex(&key)?, html)))
            .collect()
    }

    /// Marks this site's folder as used now, and removes the folders of sites no build has
    /// used for `unused_for` (sites built from temporary folders, CI checkouts at changing
    /// paths): each may hold a whole output folder.
    pub fn evict_unused_sites(&self, unused_for: std::time::Duration) {
        let Some(dir) = &self.dir else { return };
        self.write(USED, b"");
        let Some(root) = dir.parent() else { return };
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        let now = std::time::SystemTime::now();
        for entry in entries.flatten() {
            let path = entry.path();
            let is_site = entry.file_name().to_string_lossy().starts_with("site-");
            let used = std::fs::metadata(path.join(USED)).and_then(|m| m.modified());
            let stale =
                used.is_ok_and(|used| now.duration_since(used).unwrap_or_default() > unused_for);
            if is_site && stale && path != *dir {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }

    /// Keeps this build's formatted citations (only these: entries no brief uses are dropped).
    pub fn keep_citations(&self, citations: &[(Key, String)]) {
        let stored: HashMap<String, &str> = citations
            .iter()
            .map(|(key, html)| (key.hex(), html.as_str()))
            .collect();
        if let Ok(json) = serde_json::to_string(&stored) {
            self.write(self.citations_file, json.as_bytes());
        }
    }

    /// Where the output folder `output` replaced by a build is kept, to be the next build's
    /// staging folder (see `output::Staging`). Not keyed by the executable: it holds only a
    /// built site, and every file in it is checked or replaced before it is used.
    /// `output` is absolute (`output::absolute`), so every build names it the same way.
    pub fn spare_output(&self, output: &Path) -> Option<PathBuf> {
        let mut hasher = SipHasher13::new_with_keys(0, 0);
        output.hash(&mut hasher);
        Some(
            self.dir
                .as_ref()?
                .join(format!("output-{:016x}", hasher.finish())),
        )
    }

    /// The pages the last build into `output` (absolute) wrote, each with its key and file.
    pub fn pages(&self, output: &Path) -> HashMap<PathBuf, PageStamp> {
        let Some(dir) = &self.dir else {
            return HashMap::new();
        };
        let Ok(bytes) = std::fs::read(dir.join(pages_file(output))) else {
            return HashMap::new();
        };
        let pages: Vec<(PathBuf, PageStamp)> = postcard::from_bytes(&bytes).unwrap_or_default();
        pages.into_iter().collect()
    }

    /// Keeps the pages this build wrote into `output`, for the next build.
    pub fn keep_pages(&self, output: &Path, pages: &[(PathBuf, PageStamp)]) {
        if let Ok(bytes) = postcard::to_stdvec(pages) {
            self.write(&pages_file(output), &bytes);
        }
    }

    /// The record of the last build into `output` (absolute), as `keep_last_build` kept it.
    pub fn last_build(&self, output: &Path) -> Option<Vec<u8>> {
        self.file(&output_file("last-build", output))
    }

    /// Keeps the record of this build into `output`, for the next.
    pub fn keep_last_build(&self, output: &Path, bytes: &[u8]) {
        self.write(&output_file("last-build", output), bytes);
    }

    /// The entry kept on `shelf` for `key`, as `keep_entry` was given it.
    pub fn entry(&self, shelf: Shelf, key: Key) -> Option<Vec<u8>> {
        let dir = self.dir.as_ref()?;
        self.mark_used(shelf, key);
        std::fs::read(dir.join(shelf.folder()).join(key.hex())).ok()
    }

    /// Where the entry kept on `shelf` for `key` is, or would be, kept: for an entry too large to
    /// read into memory only to be copied out again.
    pub fn entry_path(&self, shelf: Shelf, key: Key) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        self.mark_used(shelf, key);
        Some(dir.join(shelf.folder()).join(key.hex()))
    }

    /// Keeps `bytes` on `shelf` for `key`.
    pub fn keep_entry(&self, shelf: Shelf, key: Key, bytes: &[u8]) {
        if self.dir.is_some() {
            self.mark_used(shelf, key);
            self.write(&format!("{}/{}", shelf.folder(), key.hex()), bytes);
        }
    }

    /// The file `name` of the cache, as `keep_file` was given it: for results read and kept
    /// whole (the search index's analyses: one file, not a file a document).
    pub fn file(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.as_ref()?.join(name)).ok()
    }

    /// Whether this build has a cache folder to keep results in.
    pub fn is_kept(&self) -> bool {
        self.dir.is_some()
    }

    /// Keeps `bytes` as the cache's file `name`.
    pub fn keep_file(&self, name: &str, bytes: &[u8]) {
        self.write(name, bytes);
    }

    /// Removes, from each shelf this build used, the entries it did not use: texts since
    /// edited or removed, briefs since changed. A shelf the build did not look at (the search
    /// index's, when the whole index was kept) is left as it is.
    pub fn evict_unused_entries(&self) {
        let Some(dir) = &self.dir else { return };
        remove_abandoned_writes(dir, ABANDONED_AFTER);
        let used = crate::lock(&self.used);
        for shelf in Shelf::ALL {
            if let Some(used) = used.get(&shelf) {
                evict_from(&dir.join(shelf.folder()), used);
            }
        }
    }

    fn mark_used(&self, shelf: Shelf, key: Key) {
        crate::lock(&self.used)
            .entry(shelf)
            .or_default()
            .insert(key);
    }

    fn read(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.as_ref()?.join(name)).ok()
    }

    /// Writes a file of the cache whole (a temporary file renamed over it), or not at all.
    fn write(&self, name: &str, bytes: &[u8]) {
        let Some(dir) = &self.dir else { return };
        let path = dir.join(name);
        let temporary = dir.join(format!("{name}{WRITING}{}", std::process::id()));
        let written = path
            .parent()
            .is_some_and(|parent| std::fs::create_dir_all(parent).is_ok())
            && std::fs::write(&temporary, bytes).is_ok()
            && std::fs::rename(&temporary, &path).is_ok();
        if !written {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

/// What `write` puts between a file's name and its process's id in the name of the temporary
/// file it renames over it.
const WRITING: &str = ".new-";

/// How old a temporary file of `write` must be to be taken for one a killed process left: a
/// write takes seconds at most.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files of `write` in `folder` older than `older_than`.
fn remove_abandoned_writes(folder: &Path, older_than: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        remove_if_abandoned(&entry, older_than);
    }
}

/// Removes `entry` when it is a temporary file of `write` older than `older_than`: a process
/// killed between writing one and renaming it left it there, and nothing else would (the
/// search index's analyses are ~50 MB at 10,000 briefs).
fn remove_if_abandoned(entry: &std::fs::DirEntry, older_than: std::time::Duration) {
    let name = entry.file_name();
    if !name.to_str().is_some_and(|name| name.contains(WRITING)) {
        return;
    }
    let modified = entry.metadata().and_then(|meta| meta.modified());
    let age = modified.ok().and_then(|time| time.elapsed().ok());
    if age.is_some_and(|age| age >= older_than) {
        let _ = std::fs::remove_file(entry.path());
    }
}

/// Removes the entries of `folder` whose keys are not in `used`, and the temporary files of
/// writes a killed process left there.
fn evict_from(folder: &Path, used: &HashSet<Key>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        match name.to_str().and_then(Key::from_hex) {
            Some(key) if !used.contains(&key) => {
                let _ = std::fs::remove_file(entry.path());
            }
            Some(_) => {}
            // Not a key: another build's file being written, left alone, or an old one.
            None => remove_if_abandoned(&entry, ABANDONED_AFTER),
        }
    }
}

/// A page as a build wrote it: the key of what its template was given, and its file as it was
/// left (size, modification time and inode), so a file changed since is never taken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageStamp {
    key: u128,
    file: (u64, i64, u32, u64),
}

impl PageStamp {
    /// The stamp of a page with `key` written as the file with metadata `meta`.
    pub fn new(key: Key, meta: &std::fs::Metadata) -> PageStamp {
        PageStamp {
            key: key.0,
            file: file_stamp(meta),
        }
    }

    /// Whether the page had `key` and its file still has the metadata `meta`.
    pub fn fits(&self, key: Key, meta: &std::fs::Metadata) -> bool {
        self.key == key.0 && self.file == file_stamp(meta)
    }
}

fn file_stamp(meta: &std::fs::Metadata) -> (u64, i64, u32, u64) {
    let modified = meta
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    (
        meta.len(),
        modified.as_secs() as i64,
        modified.subsec_nanos(),
        inode,
    )
}

fn pages_file(output: &Path) -> String {
    output_file("pages", output)
}

/// The name of the cache's file `kind` for the output folder `output`.
fn output_file(kind: &str, output: &Path) -> String {
    format!("{kind}-{:016x}.bin", path_hash(output))
}

/// A hash of a path, to name a folder by.
fn path_hash(path: &Path) -> u64 {
    let mut hasher = SipHasher13::new_with_keys(0, 0);
    path.hash(&mut hasher);
    hasher.finish()
}

/// What tells one build of folio from another.
fn executable() -> &'static (String, u64, Option<std::time::SystemTime>) {
    static EXECUTABLE: std::sync::OnceLock<(String, u64, Option<std::time::SystemTime>)> =
        std::sync::OnceLock::new();
    EXECUTABLE.get_or_init(|| {
        let meta = std::env::current_exe().and_then(std::fs::metadata).ok();
        (
            env!("CARGO_PKG_VERSION").to_string(),
            meta.as_ref().map_or(0, |m| m.len()),
            meta.and_then(|m| m.modified().ok()),
        )
    })
}

/// `$FOLIO_CACHE_DIR`, `$XDG_CACHE_HOME/folio` or `~/.cache/folio`; an empty
/// `FOLIO_CACHE_DIR` turns the cache off.
fn cache_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FOLIO_CACHE_DIR") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let xdg = std::env::var_os("XDG_CACHE_HOME").filter(|dir| !dir.is_empty());
    xdg.map(PathBuf::from)
        .or_else(|| Some(PathBuf::from(std::env::var_os("HOME")?).join(".cache")))
        .map(|dir| dir.join("folio"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    /// A file `name` in `folder`, last modified `age` seconds ago.
    fn aged_file(folder: &Path, name: &str, age: u64) -> PathBuf {
        let path = folder.join(name);
        std::fs::write(&path, b"x").unwrap();
        let handle = std::fs::File::options().write(true).open(&path).unwrap();
        let modified = SystemTime::now() - Duration::from_secs(age);
        handle.set_modified(modified).unwrap();
        path
    }

    /// A temporary file of a write older than the limit is removed; a newer one (a write
    /// under way) and the cache's own files stay.
    #[test]
    fn only_old_temporary_files_of_writes_are_removed() {
        let folder = tempfile::TempDir::new().unwrap();
        let file = |name: &str, age: u64| aged_file(folder.path(), name, age);
        let abandoned = file("search-analyses-2.postcard.new-4242", 7200);
        let under_way = file("search-analyses-added.postcard.new-4243", 10);
        let kept = file("search-analyses-2.postcard", 7200);
        remove_abandoned_writes(folder.path(), Duration::from_secs(3600));
        assert!(!abandoned.exists());
        assert!(under_way.exists() && kept.exists());
    }

    /// A shelf loses the entries the build did not use and the temporary files a killed
    /// process left; it keeps those used and a write under way.
    #[test]
    fn a_shelf_keeps_the_used_entries_and_a_write_under_way() {
        let shelf = tempfile::TempDir::new().unwrap();
        let (used, unused) = (Key::of("used"), Key::of("unused"));
        let file = |name: String, age: u64| aged_file(shelf.path(), &name, age);
        let kept = file(used.hex(), 7200);
        let evicted = file(unused.hex(), 0);
        let abandoned = file(format!("{}{WRITING}4242", unused.hex()), 7200);
        let under_way = file(format!("{}{WRITING}4243", used.hex()), 0);
        evict_from(shelf.path(), &HashSet::from([used]));
        assert!(kept.exists() && under_way.exists());
        assert!(!evicted.exists() && !abandoned.exists());
    }
}
