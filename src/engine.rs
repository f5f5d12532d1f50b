//! The engine `build`, `check` and `serve` drive: a site's settings and theme, loaded once;
//! from them its documents are read and rendered, the site linked with every check applied
//! (all problems in one pass), and its pages rendered. The commands differ only in what they
//! do with the pages: write them, drop them, or serve them.

use crate::cache::BuildCache;
use crate::config::{Config, load_config};
use crate::content::{discover_content, read_entry};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::render_doc;
use crate::render::{
    OutputFile, PlannedFiles, RenderFailure, RenderedSite, Reuse, Theme, clashes, load_theme,
    render_site,
};
use crate::site::links::broken_links;
use crate::site::{Content, Shown, Site, link_related, link_site};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

/// Why a build, check or preview cannot go on.
#[derive(Debug)]
pub enum BuildError {
    /// Settings or command line: exit code 2.
    Config(Vec<Diagnostic>),
    /// Content, templates or static files: exit code 1.
    Content(Vec<Diagnostic>),
    /// Writing the output failed: exit code 1.
    Output(anyhow::Error),
}

impl BuildError {
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Config(_) => 2,
            BuildError::Content(_) | BuildError::Output(_) => 1,
        }
    }
}

/// A site's settings and theme, loaded once.
pub struct Engine {
    pub config: Config,
    pub theme: Theme,
}

impl Engine {
    /// Reads `root/site.toml` (its `base_url` replaced by `base_url`, when given) and the theme.
    /// Settings that cannot be used stop it (exit code 2); so does a theme that cannot be loaded.
    pub fn open(root: &Path, base_url: Option<&str>) -> Result<Engine, BuildError> {
        Engine::with_settings(configure(root, base_url)?)
    }

    /// The engine of settings already read (`configure`): loads the theme.
    pub fn with_settings(config: Config) -> Result<Engine, BuildError> {
        let theme = load_theme(&config).map_err(BuildError::Content)?;
        Ok(Engine { config, theme })
    }

    /// Reads every document, renders its body, links the site and applies the link rule to
    /// the files a build of it writes: every content problem in one pass, returned beside the
    /// site (which leaves out the documents with errors). `shown`: whether the site has its
    /// drafts and scheduled briefs; `as_published`: a link from a published page to one of
    /// them is an error too. Unchanged
    /// texts are read from `cache` rendered.
    pub fn load(
        &self,
        shown: Shown,
        as_published: bool,
        cache: &BuildCache,
    ) -> (Site, Diagnostics) {
        let mut timings = Timings::from_env();
        let (content, mut diagnostics) = load_documents(&self.config, cache);
        diagnostics.extend(self.theme.refused.iter().cloned());
        timings.lap("content");
        let (mut site, link_problems) = link_site(self.config.clone(), content, shown);
        diagnostics.extend(link_problems.sorted());
        timings.lap("link");
        diagnostics.extend(link_related(&mut site));
        timings.lap("related");
        let planned = PlannedFiles::of(&site, &self.theme);
        diagnostics.extend(broken_links(&site, &planned.paths(), as_published));
        diagnostics.extend(clashes(&site, &planned));
        timings.lap("links");
        (site, diagnostics)
    }

    /// Renders every page of `site`, handing each file to `emit`. Template problems go into
    /// `diagnostics`, and nothing comes back when a template failed; an error is `emit`'s own.
    pub fn render(
        &mut self,
        site: &Site,
        diagnostics: &mut Diagnostics,
        emit: &(dyn Fn(&OutputFile) -> anyhow::Result<()> + Sync),
        reuse: Reuse<'_>,
    ) -> anyhow::Result<Option<RenderedSite>> {
        match render_site(site, &mut self.theme, emit, reuse) {
            Ok(rendered) => Ok(Some(rendered)),
            Err(RenderFailure::Pages(problems)) => {
                diagnostics.extend(problems);
                Ok(None)
            }
            Err(RenderFailure::Emit(err)) => Err(err),
        }
    }
}

/// Reads every content document and renders its body, in parallel: the content stage, then the
/// Markdown stage, one document at a time, so each body's text is dropped once it is rendered.
/// A document with errors in either stage is kept aside (`Content::rejected`). Unchanged
/// texts are read from `cache` rendered.
pub fn load_documents(config: &Config, cache: &BuildCache) -> (Content, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut found = discover_content(config, &mut diagnostics);
    let entries = std::mem::take(&mut found.entries);
    let read: Vec<_> = entries
        .into_par_iter()
        .map(|entry| {
            let parsed = read_entry(config, entry, &found);
            let mut problems = parsed.problems;
            let doc = parsed.doc.map(|doc| {
                let (doc, found) = render_doc(config, doc, cache);
                let accepted = parsed.accepted && !found.iter().any(Diagnostic::is_error);
                problems.extend(found);
                (doc, accepted)
            });
            (doc, problems)
        })
        .collect();
    let mut content = Content {
        bibliographies: found.bibliographies.parsed(),
        ..Content::default()
    };
    for (doc, problems) in read {
        diagnostics.extend(problems);
        if let Some((doc, accepted)) = doc {
            content.add(doc, accepted);
        }
    }
    (content, diagnostics)
}

/// Reads `site.toml` and applies the command line's `--base-url`.
pub fn configure(root: &Path, base_url: Option<&str>) -> Result<Config, BuildError> {
    let mut config = load_config(root).map_err(BuildError::Config)?;
    if let Some(base_url) = base_url {
        config.set_base_url(base_url).map_err(|why| {
            BuildError::Config(vec![Diagnostic::error("--base-url", why).help(
                "pass an absolute address, e.g. --base-url https://briefs.example.org",
            )])
        })?;
    }
    Ok(config)
}

/// Stage times and the peak memory so far, printed to stderr when `FOLIO_TIMINGS` is set:
/// what the benchmark's profile notes start from.
pub(crate) struct Timings(Option<(Instant, f64)>);

impl Timings {
    pub(crate) fn from_env() -> Self {
        Timings(
            std::env::var_os("FOLIO_TIMINGS")
                .map(|_| (Instant::now(), cpu_seconds().unwrap_or(0.0))),
        )
    }

    /// Prints the stage's wall time, the CPU time of all the process's threads in it (which
    /// other work on the machine does not inflate), and the peak memory so far.
    pub(crate) fn lap(&mut self, stage: &str) {
        let Some((since, cpu_since)) = self.0.as_mut() else {
            return;
        };
        let cpu = cpu_seconds().unwrap_or(0.0);
        eprintln!(
            "timing: {stage:<8} {:>8.1} ms  cpu {:>8.1} ms  peak {:>5} MB",
            since.elapsed().as_secs_f64() * 1e3,
            (cpu - *cpu_since) * 1e3,
            peak_memory_mb().map_or("?".into(), |mb| mb.to_string())
        );
        *since = Instant::now();
        *cpu_since = cpu;
    }
}

/// The CPU time, user and system, of all the process's threads so far (Linux:
/// /proc/self/stat, in clock ticks of 10 ms).
pub(crate) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let mut fields = after_name.split(' ').skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The process's peak resident memory so far, in MB (Linux: `VmHWM` in /proc/self/status).
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
