//! The files the preview serves, layered so that publishing a rebuild copies only its changes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One file the preview serves.
#[derive(Clone)]
pub enum Served {
    Bytes(Arc<[u8]>),
    /// Read from disk when asked for (figures, the theme's static files).
    File(PathBuf),
    Embedded(&'static [u8]),
}

/// The served files by URL path: a base laid by a whole build, which every snapshot shares,
/// and the files written or removed since. A clone is two reference counts; a change copies
/// the changes alone when a snapshot still holds them, and they are folded into a new base once
/// they grow past a quarter of it.
#[derive(Clone, Default)]
pub struct Files {
    base: Arc<HashMap<String, Served>>,
    /// Written (`Some`) or removed (`None`) since the base was laid.
    changes: Arc<HashMap<String, Option<Served>>>,
}

impl Files {
    pub fn new(all: HashMap<String, Served>) -> Self {
        Files {
            base: Arc::new(all),
            changes: Arc::default(),
        }
    }

    pub fn get(&self, path: &str) -> Option<&Served> {
        match self.changes.get(path) {
            Some(change) => change.as_ref(),
            None => self.base.get(path),
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn insert(&mut self, path: String, file: Served) {
        self.change(path, Some(file));
    }

    pub fn remove(&mut self, path: &str) {
        if self.contains(path) {
            self.change(path.to_string(), None);
        }
    }

    fn change(&mut self, path: String, file: Option<Served>) {
        Arc::make_mut(&mut self.changes).insert(path, file);
        if self.changes.len() > self.base.len() / 4 {
            self.fold();
        }
    }

    /// Every file, by path.
    #[cfg(test)]
    pub fn all(&self) -> HashMap<&str, &Served> {
        let mut all: HashMap<&str, &Served> = self
            .base
            .iter()
            .map(|(path, file)| (path.as_str(), file))
            .collect();
        for (path, change) in self.changes.iter() {
            match change {
                Some(file) => all.insert(path, file),
                None => all.remove(path.as_str()),
            };
        }
        all
    }

    /// Lays a new base with the changes in it.
    fn fold(&mut self) {
        let changes = std::mem::take(&mut self.changes);
        let base = Arc::make_mut(&mut self.base);
        for (path, change) in Arc::unwrap_or_clone(changes) {
            match change {
                Some(file) => base.insert(path, file),
                None => base.remove(&path),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Served {
        Served::Bytes(text.as_bytes().into())
    }

    fn text(files: &Files, path: &str) -> Option<String> {
        match files.get(path)? {
            Served::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        }
    }

    #[test]
    fn a_snapshot_keeps_what_it_was_given_while_changes_go_on() {
        let base = (0..8).map(|i| (format!("/{i}"), bytes("old"))).collect();
        let mut files = Files::new(base);
        let snapshot = files.clone();
        files.insert("/1".into(), bytes("new"));
        files.insert("/new".into(), bytes("added"));
        files.remove("/2");
        assert_eq!(text(&files, "/1").as_deref(), Some("new"));
        assert_eq!(text(&files, "/new").as_deref(), Some("added"));
        assert!(!files.contains("/2"));
        assert_eq!(text(&snapshot, "/1").as_deref(), Some("old"));
        assert!(snapshot.contains("/2") && !snapshot.contains("/new"));
    }

    #[test]
    fn folding_the_changes_keeps_every_file() {
        let mut files = Files::default();
        for i in 0..100 {
            files.insert(format!("/{i}"), bytes(&i.to_string()));
        }
        files.remove("/7");
        assert!(files.changes.len() <= files.base.len() / 4 + 1);
        assert_eq!(text(&files, "/42").as_deref(), Some("42"));
        assert!(!files.contains("/7"));
    }
}
