//! Rebuilding after edits of briefs: their own pages first, the pages that show them next.

use super::pending::{PendingPages, PendingPaths};
use super::{Outcome, Preview, key, page_paths};
use crate::cache::BuildCache;
use crate::config::Config;
use crate::content::{brief_entry, load_entry};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::markdown::render_doc;
use crate::render::{Job, job_path, jobs, prepare_theme, render_jobs};
use crate::serve::affected::{Edited, Links, is_affected, showing};
use crate::site::links::{WrittenFiles, broken_links_in};
use crate::site::{BriefDoc, Content, Doc};
use crate::site::{Site, link_related, link_site};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

impl Preview {
    /// Re-reads the given briefs and renders their pages again, leaving the pages that show
    /// them pending. Edits that change nothing the site links from the briefs (the usual
    /// edit of a text or title) take their old versions' places; any other edit links the
    /// whole site again.
    pub(super) fn rebuild_briefs(&mut self, paths: &[PathBuf]) -> Outcome {
        let site = self
            .site
            .as_mut()
            .expect("classify() only allows this with a site");
        let (docs, diagnostics) = read_briefs(&site.config, paths);
        if diagnostics.has_errors() {
            return self.failed(diagnostics.sorted());
        }
        let relinked = if docs.len() == paths.len() {
            site.relink_briefs(docs)
        } else {
            Err(docs)
        };
        match relinked {
            Ok(replaced) => self.render_relinked(&replaced, diagnostics),
            Err(docs) => self.relink_all(paths, docs, diagnostics),
        }
    }

    /// Renders the pages of briefs that took the places of their old versions (`replaced`, by
    /// index), and leaves pending the pages that show them.
    fn render_relinked(
        &mut self,
        replaced: &[(usize, BriefDoc)],
        diagnostics: Diagnostics,
    ) -> Outcome {
        let edited: Vec<&Path> = replaced
            .iter()
            .map(|(_, old)| old.shown.as_path())
            .collect();
        let problems = self.link_problems(&edited, None);
        if problems.iter().any(Diagnostic::is_error) {
            return self.failed(problems);
        }
        let site = self.site.as_ref().expect("relinked in it");
        let theme = &self
            .engine
            .as_ref()
            .expect("a site was built with it")
            .theme;
        let own: Vec<Job> = replaced
            .iter()
            .map(|&(index, _)| Job::Brief(index))
            .collect();
        let rendered = match render_jobs(site, theme, &own) {
            Ok(rendered) => rendered,
            Err(problems) => return self.failed(problems),
        };
        for job in replaced.iter().flat_map(|&(index, _)| showing(site, index)) {
            self.pending.push(site, job);
        }
        let copies_differ = replaced
            .iter()
            .any(|(index, old)| copies_differ(old, &site.briefs[*index].doc));
        let count = self.store(rendered);
        if copies_differ {
            self.update_copied_files();
        } else {
            self.index_after_edit();
        }
        self.succeeded(diagnostics, count)
    }

    /// Links the site again with the new versions of the briefs at `paths` (`docs`; a brief
    /// whose file is gone has none), renders the edited briefs' pages, and leaves pending the
    /// other pages the edit changed. On errors the site stays as it was.
    fn relink_all(
        &mut self,
        paths: &[PathBuf],
        docs: Vec<BriefDoc>,
        mut diagnostics: Diagnostics,
    ) -> Outcome {
        // The pending pages are jobs of the site about to be linked again: they are carried
        // over by path, so a first build still filling in costs an edit nothing.
        let unrendered = self.pending_paths();
        let site = self
            .site
            .take()
            .expect("classify() only allows this with a site");
        let before = Links::of(&site);
        let formatted = site.formatted_citations.take();
        let (config, mut content) = site.into_content();
        let shown: Vec<PathBuf> = paths
            .iter()
            .map(|p| display_path(&config.root, p))
            .collect();
        let (removed, changed) = replace_briefs(&mut content, &shown, docs);
        let (site, problems) = self.link(config, content);
        site.formatted_citations.remember(formatted);
        if problems.has_errors() {
            let (config, mut content) = site.into_content();
            replace_briefs(&mut content, &shown, removed);
            self.site = Some(self.link(config, content).0);
            return self.failed(problems.sorted());
        }
        diagnostics.extend(problems.sorted());
        self.site = Some(site);
        let edited: Vec<&Path> = shown.iter().map(PathBuf::as_path).collect();
        let all = jobs(self.site.as_ref().expect("linked above"));
        let problems = self.link_problems(&edited, Some(&all));
        let site = self.site.take().expect("linked above");
        if problems.iter().any(Diagnostic::is_error) {
            self.site = Some(site);
            return self.failed(problems);
        }
        self.render_changes(site, &before, &changed, &unrendered, diagnostics)
    }

    /// Links the site again, related briefs included, as the engine's load does.
    fn link(&self, config: Config, content: Content) -> (Site, Diagnostics) {
        let (mut site, mut problems) = link_site(config, content, self.shown());
        problems.extend(link_related(&mut site));
        (site, problems)
    }

    /// The link rule applied to the edited documents (`edited`, as shown) against the files
    /// the preview serves: the current pages, or those of `jobs` after a site linked again.
    fn link_problems(&self, edited: &[&Path], jobs: Option<&[Job]>) -> Vec<Diagnostic> {
        let Some(site) = &self.site else {
            return Vec::new();
        };
        // By bytes: `Path`'s own equality walks the components of every document's path.
        let checked = |shown: &Path| edited.iter().any(|e| e.as_os_str() == shown.as_os_str());
        let Some(jobs) = jobs else {
            // Looked up among the files served: listing them all took ~10–25 ms of an edit at
            // 10,000 briefs.
            let served = ServedFiles {
                pages: &self.pages,
                copied: &self.copied,
            };
            return broken_links_in(site, &served, !self.drafts, checked);
        };
        let pages: Vec<PathBuf> = jobs.iter().map(|&job| job_path(site, job)).collect();
        let copied = self.copied.iter().map(|key| PathBuf::from(&key[1..]));
        let files: Vec<PathBuf> = pages.into_iter().chain(copied).collect();
        let written: HashSet<&Path> = files.iter().map(PathBuf::as_path).collect();
        broken_links_in(site, &written, !self.drafts, checked)
    }

    /// Renders the edited briefs' pages of a site linked again, and leaves pending the other
    /// pages the edit changed and those still `unrendered` before it.
    fn render_changes(
        &mut self,
        site: Site,
        before: &Links,
        changed: &Edited,
        unrendered: &PendingPaths,
        diagnostics: Diagnostics,
    ) -> Outcome {
        let after = Links::of(&site);
        let theme = &mut self
            .engine
            .as_mut()
            .expect("a site was built, so a theme is loaded")
            .theme;
        prepare_theme(&site, theme);
        let all = page_paths(&site, &jobs(&site));
        let (own, others): (Vec<_>, Vec<_>) = all
            .iter()
            .filter(|(path, job)| {
                is_affected(&site, *job, before, &after, changed) || unrendered.contains(path)
            })
            .cloned()
            .partition(|(_, job)| {
                matches!(job, Job::Brief(index) if changed.includes(&site.briefs[*index]))
            });
        let own: Vec<Job> = own.into_iter().map(|(_, job)| job).collect();
        let rendered = match render_jobs(&site, theme, &own) {
            Ok(rendered) => rendered,
            Err(problems) => {
                self.site = Some(site);
                return self.failed(problems);
            }
        };
        let pages: HashSet<String> = all.into_iter().map(|(path, _)| path).collect();
        for stale in self.pages.difference(&pages) {
            self.files.remove(stale);
        }
        self.pages = pages;
        self.pending = PendingPages::of(others);
        self.site = Some(site);
        let count = self.store(rendered);
        self.update_copied_files();
        self.succeeded(diagnostics, count)
    }
}

/// The files the preview serves, by their URL paths (`key`), as the link rule asks about them.
struct ServedFiles<'p> {
    pages: &'p HashSet<String>,
    copied: &'p HashSet<String>,
}

impl WrittenFiles for ServedFiles<'_> {
    fn has(&self, file: &Path) -> bool {
        let served = key(file);
        self.pages.contains(&served) || self.copied.contains(&served)
    }

    fn all(&self) -> Vec<&Path> {
        let keys = self.pages.iter().chain(self.copied);
        keys.map(|key| Path::new(&key[1..])).collect()
    }
}

/// Takes the briefs read from the files `shown` out of `content` and puts `docs` in their
/// place; returns those taken out, and what the change touches.
fn replace_briefs(
    content: &mut Content,
    shown: &[PathBuf],
    docs: Vec<BriefDoc>,
) -> (Vec<BriefDoc>, Edited) {
    let (removed, kept): (Vec<_>, Vec<_>) = content
        .briefs
        .drain(..)
        .partition(|b| shown.contains(&b.shown));
    let mut changed = Edited::default();
    removed.iter().chain(&docs).for_each(|b| changed.add(b));
    content.briefs = kept;
    content.briefs.extend(docs);
    (removed, changed)
}

/// Whether two versions of a brief have different files copied beside the pages: attached
/// files, a PDF, or code (which needs the highlighting stylesheet).
fn copies_differ(old: &BriefDoc, new: &BriefDoc) -> bool {
    old.bundle != new.bundle || old.pdf != new.pdf || old.body.has_code != new.body.has_code
}

/// Reads the briefs at `paths` again; a path whose file is gone (or is not a brief) gives none.
fn read_briefs(config: &Config, paths: &[PathBuf]) -> (Vec<BriefDoc>, Diagnostics) {
    let mut docs = Vec::new();
    let mut diagnostics = Diagnostics::default();
    for path in paths.iter().filter(|path| path.is_file()) {
        let Some(entry) = brief_entry(config, path) else {
            continue;
        };
        let (doc, problems) = load_entry(config, entry);
        diagnostics.extend(problems);
        let Some(doc) = doc else { continue };
        let (doc, problems) = render_doc(config, doc, &BuildCache::disabled());
        let accepted = !problems.iter().any(Diagnostic::is_error);
        diagnostics.extend(problems);
        if let (Doc::Brief(brief), true) = (doc, accepted) {
            docs.push(*brief);
        }
    }
    (docs, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::super::{Change, Preview};
    use crate::render::Job;
    use crate::serve::files::Served;
    use std::collections::{BTreeMap, HashSet};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// The `features` fixture, copied into a temporary folder.
    fn fixture() -> tempfile::TempDir {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/features");
        let dir = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&source) {
            let entry = entry.unwrap();
            let target = dir.path().join(entry.path().strip_prefix(&source).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
        dir
    }

    fn built(root: &Path) -> Preview {
        let root = root.canonicalize().unwrap();
        let mut preview = Preview::new(root, "http://127.0.0.1:4000".into(), false);
        let outcome = preview.rebuild(Change::Everything);
        assert_eq!(outcome.errors, 0, "{:?}", preview.errors());
        preview
    }

    /// A preview after its first build, every page still pending.
    fn first_built(root: &Path) -> Preview {
        let root = root.canonicalize().unwrap();
        let mut preview = Preview::new(root, "http://127.0.0.1:4000".into(), false);
        assert_eq!(preview.first_build().errors, 0, "{:?}", preview.errors());
        preview
    }

    /// Every file served: its text, or where it is read from.
    fn served(preview: &Preview) -> BTreeMap<String, String> {
        let shown = |file: &Served| match file {
            Served::Bytes(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Served::File(path) => format!("file {}", path.display()),
            Served::Embedded(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        };
        let all = preview.files.all();
        all.into_iter()
            .map(|(path, file)| (path.to_string(), shown(file)))
            .collect()
    }

    /// Replaces `from` with `to` in a file of the site (or writes `to` as a new file when
    /// `from` is empty), and rebuilds as the server does, without rendering what is left
    /// pending. Returns whether the edit left the site's links as they were, as the pages it
    /// left pending tell: linking again always changes the index of authors.
    fn edit(preview: &mut Preview, relative: &str, from: &str, to: &str) -> bool {
        let path: PathBuf = preview.root.join(relative);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains(from), "{relative} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let change = preview.classify(&[path]);
        assert!(matches!(change, Change::Briefs(_)), "{change:?}");
        let outcome = preview.rebuild(change);
        assert_eq!(outcome.errors, 0, "{:?}", preview.errors());
        !preview.pending.contains_job(Job::Authors)
    }

    /// Renders what the edits left pending, and checks that the preview serves what a whole
    /// build of the edited site serves.
    fn assert_serves_a_whole_build(mut preview: Preview) {
        while preview.has_pending() {
            assert_eq!(preview.render_pending().errors, 0);
        }
        let whole = built(&preview.root);
        let (edited, whole) = (served(&preview), served(&whole));
        assert_eq!(
            edited.keys().collect::<Vec<_>>(),
            whole.keys().collect::<Vec<_>>()
        );
        for (path, text) in &whole {
            assert!(
                edited[path] == *text,
                "{path} differs from a whole build:\n{}\n---- whole:\n{text}",
                edited[path]
            );
        }
    }

    const NOTES: &str = "content/briefs/notes-twice.md";
    const FIGURES: &str = "content/briefs/with-figures/index.md";

    #[test]
    fn edits_that_keep_the_links_serve_what_a_whole_build_serves() {
        let dir = fixture();
        let mut preview = built(dir.path());
        let title = ("title: Notes Cited Twice", "title: Notes Anew");
        assert!(edit(&mut preview, NOTES, title.0, title.1));
        // The listings and the search index follow the brief's page; requests for them wait.
        let listing = "/topics/public-finance/index.html";
        let pending = preview.snapshot(1).pending;
        assert!(pending.contains(listing));
        assert!(pending.contains("/search/index/manifest.json"));
        assert!(!pending.contains("/briefs/notes-twice/index.html"));
        assert!(
            preview.files.contains("/search/index/manifest.json"),
            "the last one served"
        );
        assert!(edit(&mut preview, NOTES, "a note.", "a longer note."));
        // The second place citing the report goes; the report stays a source.
        let second = "and the [same report](https://data.example.org/report.csv) again";
        assert!(edit(
            &mut preview,
            NOTES,
            second,
            "and the same report again"
        ));
        assert!(edit(&mut preview, FIGURES, "title:", "title: New"));
        let figure = "content/briefs/with-figures/extra.svg";
        assert!(edit(&mut preview, figure, "", "<svg/>"));
        assert_serves_a_whole_build(preview);
    }

    /// An edit's links are looked up among the files the preview serves: its pages and the
    /// files copied beside them are there; a page no build writes is not.
    #[test]
    fn an_edits_links_are_checked_against_the_files_served() {
        let dir = fixture();
        let links = "\n\nSee [the figures](/briefs/with-figures/), [a chart]\
                     (/briefs/with-figures/prices.svg) and [the topic](/topics/public-finance/).\n";
        let path = dir.path().join(NOTES);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}{links}")).unwrap();
        let mut preview = built(dir.path());
        let title = ("title: Notes Cited Twice", "title: Notes Anew");
        assert!(edit(&mut preview, NOTES, title.0, title.1), "links kept");
        let broken = ("/topics/public-finance/", "/topics/no-such-topic/");
        let path = preview.root.join(NOTES);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(broken.0, broken.1)).unwrap();
        let outcome = preview.rebuild(preview.classify(&[path]));
        assert_eq!(outcome.errors, 1, "{:?}", preview.errors());
        let problem = &preview.errors()[0].message;
        assert!(
            problem.contains("`/topics/no-such-topic/`, which is not a page"),
            "{problem}"
        );
    }

    /// A change waiting to be rebuilt stops the search index in the making: the index stays
    /// pending, the last one served, and is made once no change waits.
    #[test]
    fn a_waiting_change_stops_the_search_index_until_it_is_rebuilt() {
        let dir = fixture();
        let mut preview = built(dir.path());
        let waiting = Arc::new(AtomicBool::new(false));
        preview.stop_index_for(Arc::clone(&waiting));
        let title = ("title: Notes Cited Twice", "title: Notes Anew");
        assert!(edit(&mut preview, NOTES, title.0, title.1));
        waiting.store(true, Ordering::Relaxed);
        for _ in 0..3 {
            preview.render_pending();
        }
        let manifest = "/search/index/manifest.json";
        assert!(preview.pending.is_empty(), "the pages are rendered");
        assert!(preview.snapshot(1).pending.contains(manifest));
        assert!(preview.files.contains(manifest), "the last one served");
        waiting.store(false, Ordering::Relaxed);
        assert_serves_a_whole_build(preview);
    }

    #[test]
    fn edits_that_change_the_links_serve_what_a_whole_build_serves() {
        let dir = fixture();
        let mut preview = built(dir.path());
        let title = ("title: Notes Cited Twice", "title: Notes Anew");
        assert!(edit(&mut preview, NOTES, title.0, title.1));
        // Linking again carries over what the title edit left pending.
        assert!(!edit(&mut preview, NOTES, "2025-04-02", "2023-01-05"));
        let topics = "topics: [Public Finance, Energy Transition]";
        assert!(!edit(
            &mut preview,
            NOTES,
            topics,
            "topics: [Public Finance]"
        ));
        let programme = "programmes: [Fiscal Rules]";
        assert!(!edit(
            &mut preview,
            NOTES,
            programme,
            "programmes: [Fiscal Rules, Public Debt]"
        ));
        let url = "A [report](https://data.example.org/report.csv)";
        assert!(!edit(
            &mut preview,
            NOTES,
            url,
            "A [report](https://example.net/r.csv)"
        ));
        assert_serves_a_whole_build(preview);
    }

    #[test]
    fn a_first_build_renders_the_pages_asked_for_first_then_serves_a_whole_build() {
        let dir = fixture();
        let mut preview = first_built(dir.path());
        let whole = built(&preview.root);
        assert_eq!(preview.pending_count(), whole.pages.len());
        assert!(
            preview
                .pages
                .iter()
                .all(|page| !preview.files.contains(page))
        );
        let asked = "/briefs/notes-twice/index.html";
        assert!(preview.snapshot(0).pending.contains(asked));
        let outcome = preview.render_some_pending(&HashSet::from([asked.to_string()]), 1);
        assert_eq!(outcome.pages, 1);
        assert!(preview.files.contains(asked));
        assert!(!preview.snapshot(1).pending.contains(asked));
        assert_eq!(preview.pending_count(), whole.pages.len() - 1);
        assert_serves_a_whole_build(preview);
    }

    #[test]
    fn a_first_build_makes_the_search_index_when_it_is_asked_for_before_the_pages() {
        let dir = fixture();
        let mut preview = first_built(dir.path());
        let manifest = "/search/index/manifest.json";
        assert!(
            !preview.files.contains(manifest),
            "not made by the first build"
        );
        assert!(preview.snapshot(0).pending.contains(manifest));
        let pages = preview.pending_count();
        preview.render_some_pending(&HashSet::from([manifest.to_string()]), 1);
        assert!(preview.files.contains(manifest));
        assert!(!preview.snapshot(1).pending.contains(manifest));
        assert_eq!(preview.pending_count(), pages - 1, "and one page besides");
        assert_serves_a_whole_build(preview);
    }

    #[test]
    fn edits_while_a_first_build_renders_serve_what_a_whole_build_serves() {
        let dir = fixture();
        let mut preview = first_built(dir.path());
        preview.render_some_pending(&HashSet::new(), 3);
        let left = preview.pending_count();
        // (What `edit` returns tells nothing here: every page is pending.)
        edit(&mut preview, NOTES, "a note.", "a longer note.");
        // A new date links the site again, which keeps pending what was not rendered yet.
        edit(&mut preview, NOTES, "2025-04-02", "2023-01-05");
        assert!(preview.pending_count() >= left - 1);
        assert_serves_a_whole_build(preview);
    }

    #[test]
    fn new_and_removed_briefs_serve_what_a_whole_build_serves() {
        let dir = fixture();
        let mut preview = built(dir.path());
        let new =
            "---\ntitle: A New Brief\ndate: 2025-06-01\nauthors: [ada-lovelace]\n---\nText.\n";
        assert!(!edit(&mut preview, "content/briefs/new-brief.md", "", new));
        let older = preview.root.join("content/briefs/older-brief.md");
        std::fs::remove_file(&older).unwrap();
        let change = preview.classify(&[older]);
        assert_eq!(preview.rebuild(change).errors, 0);
        assert_serves_a_whole_build(preview);
    }
}
