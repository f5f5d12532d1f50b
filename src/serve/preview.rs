//! The preview's build state: the site kept in memory, rebuilt whole or, for an edited brief,
//! only the pages that show it.

use super::Snapshot;
use crate::config::{Config, load_config};
use crate::content::{Content, Doc, brief_entry, load_content, load_entry};
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::render::{
    Contents, Feed, FileJob, Job, Theme, copied_files, job_path, jobs, load_theme, page_count,
    prepare_theme, render_jobs,
};
use crate::site::{Site, link_site};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file the preview serves.
#[derive(Clone)]
pub enum Served {
    Bytes(Arc<[u8]>),
    /// Read from disk when asked for (figures, the theme's static files).
    File(PathBuf),
    Embedded(&'static [u8]),
}

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
    config: Option<Config>,
    theme: Option<Theme>,
    site: Option<Site>,
    files: HashMap<String, Served>,
    /// Paths of rendered pages in `files` (the rest are copied files).
    pages: HashSet<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Preview {
    pub fn new(root: PathBuf, base_url: String, drafts: bool) -> Self {
        Preview {
            root,
            base_url,
            drafts,
            config: None,
            theme: None,
            site: None,
            files: HashMap::new(),
            pages: HashSet::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// What the server should serve now: the last good pages, and the current errors.
    pub fn snapshot(&self, version: u64) -> Snapshot {
        Snapshot {
            files: self.files.clone(),
            errors: self.errors.iter().map(ToString::to_string).collect(),
            version,
        }
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
            Change::Briefs(paths) => self.rebuild_briefs(&paths),
            Change::Content => self.rebuild_all(false),
            Change::Everything => self.rebuild_all(true),
        }
    }

    fn rebuild_all(&mut self, reload_settings: bool) -> Outcome {
        if reload_settings || self.config.is_none() || self.theme.is_none() {
            match self.load_settings() {
                Ok(()) => {}
                Err(problems) => return self.failed(problems),
            }
        }
        let config = self.config.clone().expect("settings loaded above");
        let (content, mut diagnostics) = load_content(&config);
        let (site, problems) = link_site(config, content, self.drafts);
        diagnostics.extend(problems.sorted());
        if diagnostics.has_errors() {
            return self.failed(diagnostics.sorted());
        }
        let theme = self.theme.as_mut().expect("theme loaded above");
        prepare_theme(&site, theme);
        let all = jobs(&site);
        let rendered = match render_jobs(&site, theme, &all) {
            Ok(rendered) => rendered,
            Err(problems) => return self.failed(problems),
        };
        let mut files = HashMap::new();
        let mut pages = HashSet::new();
        for file in &rendered {
            pages.insert(key(&file.path));
        }
        for file in rendered.into_iter().chain(copied_files(&site, theme)) {
            files.insert(key(&file.path), served(file.contents));
        }
        let count = pages.len();
        self.files = files;
        self.succeeded(site, pages, diagnostics, count)
    }

    fn load_settings(&mut self) -> Result<(), Vec<Diagnostic>> {
        let mut config = load_config(&self.root)?;
        config
            .set_base_url(&self.base_url)
            .map_err(|why| vec![Diagnostic::error("site.toml", why)])?;
        let theme = load_theme(&config)?;
        self.config = Some(config);
        self.theme = Some(theme);
        Ok(())
    }

    /// Re-reads the given briefs and re-renders them and every listing page they change.
    fn rebuild_briefs(&mut self, paths: &[PathBuf]) -> Outcome {
        let site = self
            .site
            .take()
            .expect("classify() only allows this with a site");
        let before = Listings::of(&site);
        let (config, mut content) = site.into_content();
        let mut removed = Vec::new();
        let mut diagnostics = Diagnostics::default();
        let mut changed = Edited::default();
        for path in paths {
            let shown = display_path(&config.root, path);
            let (gone, kept): (Vec<_>, Vec<_>) =
                content.briefs.drain(..).partition(|b| b.shown == shown);
            content.briefs = kept;
            gone.iter().for_each(|b| changed.add(b));
            removed.extend(gone);
            if !path.is_file() {
                continue;
            }
            let Some(entry) = brief_entry(&config, path) else {
                continue;
            };
            let (doc, problems) = load_entry(&config, entry);
            diagnostics.extend(problems);
            if let Some(Doc::Brief(brief)) = doc {
                changed.add(&brief);
                content.briefs.push(*brief);
            }
        }
        let restore =
            |mut content: Content, removed: Vec<_>, paths: &[PathBuf], config: &Config| {
                content.briefs.retain(|b| {
                    !paths
                        .iter()
                        .any(|p| display_path(&config.root, p) == b.shown)
                });
                content.briefs.extend(removed);
                content
            };
        if diagnostics.has_errors() {
            let content = restore(content, removed, paths, &config);
            self.site = Some(link_site(config, content, self.drafts).0);
            return self.failed(diagnostics.sorted());
        }
        let (site, problems) = link_site(config, content, self.drafts);
        if problems.has_errors() {
            let (config, content) = site.into_content();
            let content = restore(content, removed, paths, &config);
            self.site = Some(link_site(config, content, self.drafts).0);
            return self.failed(problems.sorted());
        }
        diagnostics.extend(problems.sorted());
        self.render_changes(site, &before, &changed, diagnostics)
    }

    fn render_changes(
        &mut self,
        site: Site,
        before: &Listings,
        changed: &Edited,
        diagnostics: Diagnostics,
    ) -> Outcome {
        let after = Listings::of(&site);
        let theme = self
            .theme
            .as_mut()
            .expect("a site was built, so a theme is loaded");
        prepare_theme(&site, theme);
        let all = jobs(&site);
        let affected: Vec<Job> = all
            .iter()
            .copied()
            .filter(|&job| is_affected(&site, job, before, &after, changed))
            .collect();
        let rendered = match render_jobs(&site, theme, &affected) {
            Ok(rendered) => rendered,
            Err(problems) => {
                self.site = Some(site);
                return self.failed(problems);
            }
        };
        let pages: HashSet<String> = all.iter().map(|&job| key(&job_path(&site, job))).collect();
        for stale in self.pages.difference(&pages) {
            self.files.remove(stale);
        }
        let count = rendered.len();
        for file in rendered {
            self.files.insert(key(&file.path), served(file.contents));
        }
        for file in copied_files(&site, theme) {
            self.files
                .entry(key(&file.path))
                .or_insert_with(|| served(file.contents));
        }
        self.succeeded(site, pages, diagnostics, count)
    }

    /// Keeps a successful rebuild's site and clears the errors it fixed.
    fn succeeded(
        &mut self,
        site: Site,
        pages: HashSet<String>,
        diagnostics: Diagnostics,
        rendered: usize,
    ) -> Outcome {
        self.pages = pages;
        self.site = Some(site);
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

/// What the edited briefs touch, in their old and new versions.
#[derive(Default)]
struct Edited {
    slugs: HashSet<String>,
    urls: HashSet<String>,
    domains: HashSet<String>,
}

impl Edited {
    fn add(&mut self, brief: &crate::content::BriefDoc) {
        self.slugs.insert(brief.slug.clone());
        for source in &brief.body.sources {
            self.urls.insert(source.url.clone());
            self.domains.insert(source.domain.clone());
        }
    }

    /// Whether a brief shows something the edit changed: itself, or a source it shares with
    /// an edited brief (its Sources list says how many other briefs cite each URL).
    fn shows(&self, brief: &crate::site::Brief) -> bool {
        self.slugs.contains(&brief.doc.slug)
            || brief
                .doc
                .body
                .sources
                .iter()
                .any(|s| self.urls.contains(&s.url))
    }
}

/// Whether a page must be rendered again after the briefs in `changed` were edited.
fn is_affected(
    site: &Site,
    job: Job,
    before: &Listings,
    after: &Listings,
    changed: &Edited,
) -> bool {
    let differs = |old: Option<&Vec<Vec<String>>>, new: Option<&Vec<Vec<String>>>, page: usize| {
        let old = old.and_then(|pages| pages.get(page - 1));
        let new = new.and_then(|pages| pages.get(page - 1));
        old != new || new.is_some_and(|slugs| slugs.iter().any(|s| changed.slugs.contains(s)))
    };
    let lists_an_edit = |old: Option<&Vec<Vec<String>>>, new: Option<&Vec<Vec<String>>>| {
        old.into_iter()
            .chain(new)
            .flatten()
            .flatten()
            .any(|slug| changed.slugs.contains(slug))
    };
    match job {
        Job::Brief(index) => changed.shows(&site.briefs[index]),
        Job::File(FileJob::CiteBib(index) | FileJob::CiteRis(index)) => {
            changed.slugs.contains(&site.briefs[index].doc.slug)
        }
        Job::Home { page } => differs(before.home(), after.home(), page),
        Job::Author { index, page } => {
            let slug = &site.authors[index].doc.slug;
            differs(before.authors.get(slug), after.authors.get(slug), page)
        }
        Job::Topic { index, page } => {
            let slug = &site.topics[index].slug;
            differs(before.topics.get(slug), after.topics.get(slug), page)
        }
        Job::File(FileJob::Feed(Feed::Author(index))) => {
            let slug = &site.authors[index].doc.slug;
            lists_an_edit(before.authors.get(slug), after.authors.get(slug))
        }
        Job::File(FileJob::Feed(Feed::Topic(index))) => {
            let slug = &site.topics[index].slug;
            lists_an_edit(before.topics.get(slug), after.topics.get(slug))
        }
        Job::SourceDomain { index, .. } => {
            changed.domains.contains(&site.sources.domains[index].name)
        }
        Job::Page(_) | Job::NotFound | Job::File(FileJob::Robots) => false,
        // Indexes of authors, topics and domains, the search page (it lists topics, authors
        // and years), the site feed and the sitemap.
        Job::Authors
        | Job::Topics
        | Job::Search
        | Job::Sources { .. }
        | Job::File(FileJob::Feed(Feed::Site) | FileJob::Sitemap(_)) => true,
    }
}

/// The slugs on each page of each listing, to see which pages an edit changes.
struct Listings {
    home: Vec<Vec<String>>,
    authors: HashMap<String, Vec<Vec<String>>>,
    topics: HashMap<String, Vec<Vec<String>>>,
}

impl Listings {
    fn of(site: &Site) -> Self {
        let per = site.config.paginate;
        let pages = |briefs: &[usize]| -> Vec<Vec<String>> {
            let mut pages: Vec<Vec<String>> = briefs
                .chunks(per)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|&i| site.briefs[i].doc.slug.clone())
                        .collect()
                })
                .collect();
            pages.resize(page_count(briefs.len(), per), Vec::new());
            pages
        };
        let all: Vec<usize> = (0..site.briefs.len()).collect();
        Listings {
            home: pages(&all),
            authors: site
                .authors
                .iter()
                .map(|a| (a.doc.slug.clone(), pages(&a.briefs)))
                .collect(),
            topics: site
                .topics
                .iter()
                .map(|t| (t.slug.clone(), pages(&t.briefs)))
                .collect(),
        }
    }

    fn home(&self) -> Option<&Vec<Vec<String>>> {
        Some(&self.home)
    }
}

/// The URL path a file is served at.
fn key(path: &Path) -> String {
    format!("/{}", path.to_string_lossy().replace('\\', "/"))
}

fn served(contents: Contents) -> Served {
    match contents {
        Contents::Bytes(bytes) => Served::Bytes(bytes.into()),
        Contents::Copy(path) => Served::File(path),
        Contents::Embedded(bytes) => Served::Embedded(bytes),
    }
}
