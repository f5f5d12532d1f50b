//! The preview's build state: the site kept in memory, rebuilt whole or, for edited briefs,
//! only the pages that show them, their own pages first; pages left pending render in batches,
//! those asked for first.

mod edits;
mod pdfs;
mod pending;

pub use pending::PendingPaths;

use super::Snapshot;
use super::files::{Files, Served};
use crate::cache::BuildCache;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::{BuildError, Engine};
use crate::render::{
    Contents, Job, OutputFile, Theme, copied_files, job_path, jobs, prepare_theme, render_jobs,
};
use crate::site::{Shown, Site};
use pending::PendingPages;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What changed on disk, by how much has to be rebuilt.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Brief files (or files beside a brief): re-render those briefs and the pages listing them.
    Briefs(Vec<PathBuf>),
    /// Other content: read content/ again, with the same settings and theme.
    Content,
    /// Settings, theme, templates or static files: everything.
    Everything,
}

/// How the last rebuild went, for the one-line report.
pub struct Outcome {
    pub pages: usize,
    pub errors: usize,
}

pub struct Preview {
    root: PathBuf,
    base_url: String,
    drafts: bool,
    /// The site's settings and theme, once they could be loaded.
    engine: Option<Engine>,
    site: Option<Site>,
    files: Files,
    /// Paths of rendered pages in `files`.
    pages: HashSet<String>,
    /// Paths of the files in `files` copied beside the pages.
    copied: HashSet<String>,
    /// Pages of the current site still to render: a first build's, or after edited briefs'
    /// own pages, the listings, feeds and sources pages that show them.
    pending: PendingPages,
    /// Whether the search index is still to make: a first build leaves it, like its pages, to
    /// when it is asked for or the pages are rendered (at 10,000 briefs it is 0.6 s the server
    /// need not wait for before it starts).
    search_pending: bool,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// What the briefs' PDFs are typeset with, once one was asked for.
    typesetter: Option<crate::pdf::Typesetter>,
    /// Raised when changes wait to be rebuilt: a search index in the making stops for them.
    changes_waiting: Arc<AtomicBool>,
}

impl Preview {
    pub fn new(root: PathBuf, base_url: String, drafts: bool) -> Self {
        Preview {
            root,
            base_url,
            drafts,
            engine: None,
            site: None,
            files: Files::default(),
            pages: HashSet::new(),
            copied: HashSet::new(),
            pending: PendingPages::default(),
            search_pending: false,
            errors: Vec::new(),
            warnings: Vec::new(),
            typesetter: None,
            changes_waiting: Arc::default(),
        }
    }

    /// Stops a search index in the making whenever `changes_waiting` is raised: the pages of
    /// an edit come before the index of the last one.
    pub fn stop_index_for(&mut self, changes_waiting: Arc<AtomicBool>) {
        self.changes_waiting = changes_waiting;
    }

    /// What the preview shows besides published briefs: drafts unless `--no-drafts`, and
    /// briefs scheduled for later, marked.
    fn shown(&self) -> Shown {
        Shown {
            drafts: self.drafts,
            scheduled: true,
        }
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// The files besides the site's folders that its settings and briefs read, as loaded last:
    /// the citation style's own file and the bibliographies (those `[citation]` names among
    /// them, read with the briefs'). A site that failed to load gives none (the caller keeps
    /// the last it had).
    pub fn files_read(&self) -> Vec<PathBuf> {
        let (Some(engine), Some(site)) = (&self.engine, &self.site) else {
            return Vec::new();
        };
        let own_style = engine.config.citation.own_style.iter();
        let bibliographies = site.bibliographies.iter().map(|(path, _)| path.clone());
        own_style
            .map(|own| own.path.clone())
            .chain(bibliographies)
            .collect()
    }

    /// What the server should serve now: the last good pages, and the current errors.
    pub fn snapshot(&self, version: u64) -> Snapshot {
        Snapshot {
            files: self.files.clone(),
            pending: self.pending_paths(),
            errors: self.errors.iter().map(ToString::to_string).collect(),
            version,
        }
    }

    /// The URL paths of the pending pages, and of the other files still to make.
    fn pending_paths(&self) -> PendingPaths {
        let mut others: HashSet<String> = self
            .unmade_pdfs()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        if self.search_pending {
            others.insert(search_manifest());
        }
        PendingPaths {
            pages: self.pending.paths(),
            others,
        }
    }

    /// How many pages wait for `render_pending`.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Whether pages, or the search index, wait for `render_pending`.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty() || self.search_pending
    }

    /// Sorts changed paths into the rebuild they need.
    pub fn classify(&self, paths: &[PathBuf]) -> Change {
        let content = self.root.join("content");
        let mut briefs = Vec::new();
        for path in paths {
            if !path.starts_with(&content) {
                return Change::Everything;
            }
            match self.brief_of(path) {
                Some(brief) if self.site.is_some() && self.errors.is_empty() => briefs.push(brief),
                _ => return Change::Content,
            }
        }
        briefs.sort();
        briefs.dedup();
        Change::Briefs(briefs)
    }

    /// The brief file a changed path belongs to: itself, or the `index.md` of its folder.
    fn brief_of(&self, path: &Path) -> Option<PathBuf> {
        let briefs = self.root.join("content").join("briefs");
        let relative = path.strip_prefix(&briefs).ok()?;
        let parts: Vec<_> = relative.iter().collect();
        match parts.len() {
            1 if path.extension().is_some_and(|e| e == "md") => Some(path.to_path_buf()),
            n if n >= 2 => Some(briefs.join(parts[0]).join("index.md")),
            _ => None,
        }
    }

    /// Rebuilds as much as `change` needs; on errors the last good pages stay.
    pub fn rebuild(&mut self, change: Change) -> Outcome {
        match change {
            Change::Briefs(paths) => {
                let outcome = self.rebuild_briefs(&paths);
                self.forget_pdfs(&paths);
                outcome
            }
            Change::Content => self.rebuild_all(false, Render::Now),
            Change::Everything => self.rebuild_all(true, Render::Now),
        }
    }

    /// Reads and links the site, and leaves every page pending: the server starts at once, and
    /// pages render as they are asked for and, meanwhile, in the site's order (`render_pending`).
    /// There is no last good page to keep yet, so nobody waits for the whole site.
    pub fn first_build(&mut self) -> Outcome {
        self.rebuild_all(true, Render::Later)
    }

    fn rebuild_all(&mut self, reload_settings: bool, render: Render) -> Outcome {
        let mut timings = crate::engine::Timings::from_env();
        if reload_settings || self.engine.is_none() {
            self.typesetter = None;
            match Engine::open(&self.root, Some(&self.base_url)) {
                Ok(engine) => self.engine = Some(engine),
                Err(BuildError::Config(problems) | BuildError::Content(problems)) => {
                    return self.failed(problems);
                }
                Err(BuildError::Output(err)) => {
                    return self.failed(vec![Diagnostic::error("site.toml", err.to_string())]);
                }
            }
        }
        timings.lap("settings and theme");
        let cache = BuildCache::for_preview(&self.root);
        let (shown, as_published) = (self.shown(), !self.drafts);
        let engine = self.engine.as_mut().expect("opened above");
        // The same checks as `build`'s, the link rule on the files this preview serves.
        let (site, diagnostics) = engine.load(shown, as_published, &cache);
        site.formatted_citations.remember(cache.citations());
        if diagnostics.has_errors() {
            return self.failed(diagnostics.sorted());
        }
        timings.lap("loaded (the stages above)");
        let theme = &mut engine.theme;
        prepare_theme(&site, theme);
        let all = jobs(&site);
        let rendered = match render {
            Render::Now => match render_jobs(&site, theme, &all) {
                Ok(rendered) => keyed(rendered),
                Err(problems) => return self.failed(problems),
            },
            Render::Later => Vec::new(),
        };
        let copied = keyed(match render {
            Render::Now => copied_with_search(&site, theme, &self.root),
            Render::Later => copied_files(&site, theme),
        });
        self.search_pending = matches!(render, Render::Later) && site.config.search.enabled;
        let pages = page_paths(&site, &all);
        self.pages = pages.iter().map(|(path, _)| path.clone()).collect();
        self.copied = copied.iter().map(|(path, _)| path.clone()).collect();
        let count = rendered.len();
        self.files = Files::new(rendered.into_iter().chain(copied).collect());
        self.pending = match render {
            Render::Now => {
                cache.keep_citations(&crate::render::cite::site_citations(&site));
                PendingPages::default()
            }
            Render::Later => PendingPages::of(pages),
        };
        self.site = Some(site);
        timings.lap("pages listed");
        self.succeeded(diagnostics, count)
    }

    /// Keeps the citations formatted so far in the preview's cache: after a first build, once
    /// its pages are rendered.
    pub fn keep_citations(&self) {
        if let Some(site) = &self.site {
            let citations = crate::render::cite::site_citations(site);
            BuildCache::for_preview(&self.root).keep_citations(&citations);
        }
    }

    /// Renders every pending page.
    #[cfg(test)]
    pub fn render_pending(&mut self) -> Outcome {
        self.render_some_pending(&HashSet::new(), usize::MAX)
    }

    /// Renders the pending pages at the paths `asked` for, if any are; else up to `limit` of
    /// them, in the order they were left pending (a first build's: the site's order). The
    /// search index, when pending, is made when asked for, or by the first call after the
    /// pages are rendered.
    pub fn render_some_pending(&mut self, asked: &HashSet<String>, limit: usize) -> Outcome {
        let index_asked = asked.contains(&search_manifest());
        if self.search_pending && index_asked {
            self.update_search_index();
        }
        let outcome = self.render_some_pending_pages(asked, limit);
        // Made in a call of its own once the pages are, so that they are published first.
        if self.search_pending && self.pending.is_empty() && outcome.pages == 0 {
            self.update_search_index();
        }
        outcome
    }

    fn render_some_pending_pages(&mut self, asked: &HashSet<String>, limit: usize) -> Outcome {
        self.make_asked_pdfs(asked);
        let (Some(site), Some(Engine { theme, .. })) = (&self.site, &self.engine) else {
            self.pending.clear();
            return Outcome {
                pages: 0,
                errors: 0,
            };
        };
        let mut jobs = self.pending.take_asked(asked);
        if jobs.is_empty() {
            jobs = self.pending.take_first(site, limit);
        }
        match render_jobs(site, theme, &jobs) {
            Ok(rendered) => Outcome {
                pages: self.store(rendered),
                errors: 0,
            },
            Err(problems) => self.failed(problems),
        }
    }

    /// Puts rendered files in place of their last versions; returns how many there were.
    fn store(&mut self, rendered: Vec<OutputFile>) -> usize {
        let count = rendered.len();
        for file in rendered {
            self.files.insert(key(&file.path), served(file.contents));
        }
        count
    }

    /// Brings the files copied beside the pages (figures, PDFs, the theme's static files) up
    /// to date with the site: new ones are added, those no longer copied removed. The search
    /// index is left pending (`index_after_edit`), its files served as they were meanwhile.
    fn update_copied_files(&mut self) {
        let (Some(site), Some(Engine { theme, .. })) = (&self.site, &self.engine) else {
            return;
        };
        let in_index = key(Path::new(crate::search::SEARCH_DIR));
        let mut copied: HashSet<String> = self
            .copied
            .iter()
            .filter(|path| path.starts_with(&in_index))
            .cloned()
            .collect();
        for file in copied_files(site, theme) {
            let path = key(&file.path);
            if !self.copied.contains(&path) {
                self.files.insert(path.clone(), served(file.contents));
            }
            copied.insert(path);
        }
        for stale in self.copied.difference(&copied) {
            self.files.remove(stale);
        }
        self.copied = copied;
        self.index_after_edit();
    }

    /// Leaves the search index to be made again after an edit's pages: the edited page is
    /// published first (at 10,000 briefs the index took ~0.5 s of a 0.65 s edit), and a
    /// request for the index's manifest meanwhile waits for the new one.
    fn index_after_edit(&mut self) {
        self.search_pending = self
            .site
            .as_ref()
            .is_some_and(|site| site.config.search.enabled);
    }

    /// Makes the search index again after an edit of briefs: its changed files replace the
    /// old ones, which are dropped.
    fn update_search_index(&mut self) {
        self.search_pending = false;
        let Some(site) = &self.site else { return };
        if !site.config.search.enabled {
            return;
        }
        let cache = BuildCache::for_preview(&self.root);
        let waiting = &self.changes_waiting;
        let stop = || waiting.load(Ordering::Relaxed);
        let index = match crate::search::index_briefs_until(site, &cache, None, &stop) {
            Ok(Some(index)) => index,
            // Made again once the waiting changes are rebuilt.
            Ok(None) => {
                self.search_pending = true;
                return;
            }
            Err(_) => return,
        };
        let fresh: HashSet<String> = index.files.iter().map(|f| key(&f.path)).collect();
        let in_index = key(Path::new(crate::search::SEARCH_DIR));
        let stale: Vec<String> = self
            .copied
            .iter()
            .filter(|path| path.starts_with(&in_index) && !fresh.contains(*path))
            .cloned()
            .collect();
        for path in stale {
            self.files.remove(&path);
            self.copied.remove(&path);
        }
        for file in index.files {
            let path = key(&file.path);
            self.files.insert(path.clone(), served(file.contents));
            self.copied.insert(path);
        }
    }

    /// Clears the errors a successful rebuild fixed.
    fn succeeded(&mut self, diagnostics: Diagnostics, rendered: usize) -> Outcome {
        self.errors.clear();
        self.warnings = diagnostics.sorted();
        Outcome {
            pages: rendered,
            errors: 0,
        }
    }

    fn failed(&mut self, problems: Vec<Diagnostic>) -> Outcome {
        let errors = problems.iter().filter(|d| d.is_error()).count();
        self.errors = problems;
        Outcome { pages: 0, errors }
    }
}

/// Whether a whole rebuild renders its pages before it is published.
#[derive(Clone, Copy)]
enum Render {
    Now,
    Later,
}

/// The files copied beside the pages and, when search is on, the search index made from the
/// previewed site (drafts included when they are shown), so search works while previewing.
fn copied_with_search(site: &Site, theme: &Theme, root: &Path) -> Vec<OutputFile> {
    let mut files = copied_files(site, theme);
    if site.config.search.enabled
        && let Ok(index) = crate::search::index_briefs(site, &BuildCache::for_preview(root), None)
    {
        files.extend(index.files);
    }
    files
}

/// The URL path a file is served at.
fn key(path: &Path) -> String {
    format!("/{}", path.to_string_lossy().replace('\\', "/"))
}

/// The pages of `jobs`, each with its URL path.
fn page_paths(site: &Site, jobs: &[Job]) -> Vec<(String, Job)> {
    jobs.iter()
        .map(|&job| (key(&job_path(site, job)), job))
        .collect()
}

/// The URL path of the search index's manifest, the one file of it whose name is known
/// before the index is made.
fn search_manifest() -> String {
    key(&Path::new(crate::search::SEARCH_DIR).join("manifest.json"))
}

/// Files with the URL paths they are served at.
fn keyed(files: Vec<OutputFile>) -> Vec<(String, Served)> {
    files
        .into_iter()
        .map(|file| (key(&file.path), served(file.contents)))
        .collect()
}

fn served(contents: Contents) -> Served {
    match contents {
        Contents::Bytes(bytes) => Served::Bytes(bytes.into()),
        Contents::Copy(path) => Served::File(path),
        Contents::Embedded(bytes) => Served::Embedded(bytes),
    }
}
