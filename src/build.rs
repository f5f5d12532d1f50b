//! `folio build`: runs the stages in order — settings, theme, content, links, pages, search
//! index, output — and stops before writing anything when any of them found an error.

use crate::cache::{BuildCache, Key, PageStamp};
use crate::check::broken_links;
use crate::config::{Config, load_config};
use crate::content::load_content;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{Staging, absolute, check_output_dir};
use crate::render::{
    OutputFile, RenderFailure, RenderedSite, Reuse, Theme, load_theme, render_site,
};
use crate::search::index_briefs;
use crate::site::{Site, link_site};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the build cache keeps the folder of a site no build has used.
const UNUSED_SITES_KEPT: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// What `folio build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub base_url: Option<String>,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
    /// Warnings found on the way, sorted by file and line.
    pub warnings: Vec<Diagnostic>,
}

/// Why a build wrote nothing.
#[derive(Debug)]
pub enum BuildError {
    /// Settings or command line: exit code 2.
    Config(Vec<Diagnostic>),
    /// Content, templates or static files: exit code 1.
    Content(Vec<Diagnostic>),
    /// Writing the output failed: exit code 1.
    Output(anyhow::Error),
}

/// A site loaded and linked in memory, with every problem found on the way.
pub struct LoadedSite {
    pub site: Site,
    pub theme: Theme,
    /// Errors and warnings in the content; the site leaves out documents with errors.
    pub diagnostics: Diagnostics,
}

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    check_output_dir(&options.root, &output).map_err(|why| {
        BuildError::Config(vec![
            Diagnostic::error(&output, format!("refusing to build here: {why}"))
                .help("pass --output with a folder of its own, such as `public`"),
        ])
    })?;
    let mut timings = Timings::from_env();
    let cache = BuildCache::for_site(&options.root);
    let LoadedSite {
        site,
        mut theme,
        mut diagnostics,
    } = load_site(options, &cache)?;
    timings.lap("load");
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.sorted()));
    }
    crate::render::cite::remember(cache.citations());
    let absolute_output = absolute(&output);
    let spare = cache.spare_output(&absolute_output);
    let staging = Staging::open(&output, spare).map_err(BuildError::Output)?;
    let emit = |file: &OutputFile| staging.write(file);
    // A page whose template is given what it was given last time is the last build's file.
    let last_pages = cache.pages(&absolute_output);
    let reuse = |path: &Path, key: Key| {
        last_pages
            .get(path)
            .is_some_and(|stamp| staging.keep_previous(path, |meta| stamp.fits(key, meta)))
    };
    // The search index needs only the model, not the pages: it is made on a thread of its own
    // while the pages render.
    let (rendered, index) = std::thread::scope(|scope| {
        let index = site
            .config
            .search
            .enabled
            .then(|| scope.spawn(|| index_briefs(&site, &cache)));
        let rendered = render_checked(
            &site,
            &mut theme,
            !options.drafts,
            &mut diagnostics,
            &emit,
            Some(&reuse),
        );
        (rendered, index.map(|thread| thread.join()))
    });
    timings.lap("render");
    let rendered = match rendered.map_err(BuildError::Output)? {
        Some(rendered) if !diagnostics.has_errors() => rendered,
        _ => return Err(BuildError::Content(diagnostics.sorted())),
    };
    let mut files = rendered.paths.len();
    if let Some(index) = index {
        let index = index
            .map_err(|_| BuildError::Output(anyhow::anyhow!("the search indexer panicked")))?
            .map_err(|err| BuildError::Content(vec![err]))?;
        index
            .files
            .iter()
            .try_for_each(|file| staging.write(file))
            .map_err(BuildError::Output)?;
        files += index.files.len();
        diagnostics.extend(index.warning);
    }
    timings.lap("search");
    staging.commit().map_err(BuildError::Output)?;
    timings.lap("write");
    cache.keep_pages(&absolute_output, &stamps(&output, &rendered.keys));
    cache.keep_citations(&crate::render::cite::site_citations(&site));
    cache.evict_unused_entries();
    cache.evict_unused_sites(UNUSED_SITES_KEPT);
    timings.lap("cache");
    let report = BuildReport {
        pages: rendered.pages,
        files,
        elapsed: started.elapsed(),
        output,
        warnings: diagnostics.sorted(),
    };
    drop_aside((site, theme, last_pages, rendered));
    Ok(report)
}

/// Frees the build's model on a thread of its own: at 10,000 briefs that is every brief's text
/// and rendering, and a tenth of a second or more that `folio build` need not wait for, as the
/// process exits once the report is printed (which ends the thread too).
fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}

/// Reads the settings, theme and content and links them into a site, writing nothing: the
/// steps `build` and `check` share, so both find the same problems. Settings that cannot be
/// used and a theme that cannot be loaded stop it; content problems are returned beside the site.
/// Unchanged texts are read from `cache` rendered.
pub fn load_site(options: &BuildOptions, cache: &BuildCache) -> Result<LoadedSite, BuildError> {
    let config = configure(options)?;
    let theme = load_theme(&config).map_err(BuildError::Content)?;
    let mut timings = Timings::from_env();
    let (content, mut diagnostics) = load_content(&config, cache);
    timings.lap("content");
    let (site, link_problems) = link_site(config, content, options.drafts);
    timings.lap("link");
    diagnostics.extend(link_problems.sorted());
    Ok(LoadedSite {
        site,
        theme,
        diagnostics,
    })
}

/// Renders every page, handing each file to `emit`, then checks every internal link against
/// the files rendered (`as_published` also refuses links from published pages to drafts).
/// Template and link problems go into `diagnostics`, and nothing comes back when a template
/// failed; an error is `emit`'s own.
pub fn render_checked(
    site: &Site,
    theme: &mut Theme,
    as_published: bool,
    diagnostics: &mut Diagnostics,
    emit: &(dyn Fn(&OutputFile) -> anyhow::Result<()> + Sync),
    reuse: Reuse<'_>,
) -> anyhow::Result<Option<RenderedSite>> {
    match render_site(site, theme, emit, reuse) {
        Ok(rendered) => {
            diagnostics.extend(broken_links(site, &rendered.paths, as_published));
            Ok(Some(rendered))
        }
        Err(RenderFailure::Pages(problems)) => {
            diagnostics.extend(problems);
            Ok(None)
        }
        Err(RenderFailure::Emit(err)) => Err(err),
    }
}

/// Each page's key with its file as written into `output`, for the next build.
fn stamps(output: &Path, keys: &[(PathBuf, Key)]) -> Vec<(PathBuf, PageStamp)> {
    keys.par_iter()
        .filter_map(|(path, key)| {
            let meta = std::fs::symlink_metadata(output.join(path)).ok()?;
            Some((path.clone(), PageStamp::new(*key, &meta)))
        })
        .collect()
}

/// Reads `site.toml` and applies the command line's overrides.
fn configure(options: &BuildOptions) -> Result<Config, BuildError> {
    let mut config = load_config(&options.root).map_err(BuildError::Config)?;
    if let Some(base_url) = &options.base_url {
        config.set_base_url(base_url).map_err(|why| {
            BuildError::Config(vec![Diagnostic::error("--base-url", why).help(
                "pass an absolute address, e.g. --base-url https://briefs.example.org",
            )])
        })?;
    }
    Ok(config)
}

impl BuildError {
    pub fn exit_code(&self) -> i32 {
        match self {
            BuildError::Config(_) => 2,
            BuildError::Content(_) | BuildError::Output(_) => 1,
        }
    }
}

/// Stage times and the peak memory so far, printed to stderr when `FOLIO_TIMINGS` is set:
/// what the benchmark's profile notes start from.
struct Timings(Option<Instant>);

impl Timings {
    fn from_env() -> Self {
        Timings(std::env::var_os("FOLIO_TIMINGS").map(|_| Instant::now()))
    }

    fn lap(&mut self, stage: &str) {
        if let Some(since) = self
            .0
            .as_mut()
            .map(|since| std::mem::replace(since, Instant::now()))
        {
            eprintln!(
                "timing: {stage:<8} {:>8.1} ms  peak {:>5} MB",
                since.elapsed().as_secs_f64() * 1e3,
                peak_memory_mb().map_or("?".into(), |mb| mb.to_string())
            );
        }
    }
}

/// The process's peak resident memory so far, in MB (Linux: `VmHWM` in /proc/self/status).
fn peak_memory_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
