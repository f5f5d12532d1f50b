//! `folio build`: the engine's site, every page written into a staging folder with the search
//! index, swapped in whole; nothing is written when any stage found an error, nor when the
//! inputs and the output are as the last build left them.

mod last;
mod stamps;

use crate::cache::{BuildCache, Key, PageStamp};
use crate::diagnostics::Diagnostic;
use crate::engine::{Engine, Timings, configure};
use crate::output::{Staging, absolute, check_output_dir};
use crate::render::{OutputFile, Reuse};
use crate::search::index_briefs;
use crate::site::Shown;
use anyhow::Context;
use last::{Inputs, LastBuild};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::engine::BuildError;

/// How long the build cache keeps the folder of a site no build has used.
const UNUSED_SITES_KEPT: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// What `folio build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub drafts: bool,
    /// Includes briefs dated after the build's time (`--future`).
    pub future: bool,
    pub base_url: Option<String>,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
    /// Whether the inputs and the output were as the last build left them, so nothing was
    /// written.
    pub unchanged: bool,
    /// Warnings found on the way, sorted by file and line.
    pub warnings: Vec<Diagnostic>,
}

/// Builds the site at `options.root` into its output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let output = output_folder(options)?;
    let mut timings = Timings::from_env();
    let cache = BuildCache::for_site(&options.root);
    let config = configure(&options.root, options.base_url.as_deref())?;
    let absolute_output = absolute(&output);
    // Without a cache folder no build is kept to compare with, so the inputs are not read twice.
    let inputs = cache
        .is_kept()
        .then(|| inputs(&config, options, &absolute_output));
    let inputs = inputs.flatten();
    if let Some(last) =
        inputs.and_then(|inputs| unchanged(&cache, &absolute_output, inputs, &config))
    {
        timings.lap("unchanged");
        return Ok(BuildReport {
            pages: last.pages,
            files: last.files,
            elapsed: started.elapsed(),
            output,
            unchanged: true,
            warnings: last.warnings(),
        });
    }
    timings.lap("inputs");
    let mut engine = Engine::with_settings(config)?;
    let shown = Shown {
        drafts: options.drafts,
        scheduled: options.future,
    };
    let (mut site, mut diagnostics) = engine.load(shown, !options.drafts, &cache);
    timings.lap("load");
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.sorted()));
    }
    diagnostics.extend(crate::pdf::typeset_briefs(&mut site, &cache));
    timings.lap("pdf");
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.sorted()));
    }
    site.formatted_citations.remember(cache.citations());
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
    // Without a cache folder no page's key is kept for the next build, so none is computed.
    let reuse: Reuse<'_> = cache.is_kept().then_some(&reuse);
    let rendered = engine.render(&site, &mut diagnostics, &emit, reuse);
    timings.lap("render");
    let rendered = match rendered.map_err(BuildError::Output)? {
        Some(rendered) if !diagnostics.has_errors() => rendered,
        _ => return Err(BuildError::Content(diagnostics.sorted())),
    };
    let (searched, warning) = write_search_index(&site, &cache, &staging)?;
    diagnostics.extend(warning);
    timings.lap("search");
    staging.commit().map_err(BuildError::Output)?;
    timings.lap("write");
    if cache.is_kept() {
        cache.keep_pages(&absolute_output, &stamps(&output, &rendered.keys));
    }
    cache.keep_citations(&crate::render::cite::site_citations(&site));
    cache.evict_unused_entries();
    cache.evict_unused_sites(UNUSED_SITES_KEPT);
    timings.lap("cache");
    let files = rendered.paths.len() + searched.len();
    let warnings = diagnostics.sorted();
    if let Some(inputs) = inputs {
        let written = rendered.paths.iter().chain(&searched);
        let counts = (rendered.pages, files);
        let last = LastBuild::new(&site, inputs, &absolute_output, written, counts, &warnings);
        if let Some(last) = last {
            last.keep(&cache, &absolute_output);
        }
    }
    timings.lap("record");
    let report = BuildReport {
        pages: rendered.pages,
        files,
        elapsed: started.elapsed(),
        output,
        unchanged: false,
        warnings,
    };
    drop_aside((site, engine.theme, last_pages, rendered));
    Ok(report)
}

/// The output folder of a build with `options`, unless it is one folio must not replace.
fn output_folder(options: &BuildOptions) -> Result<PathBuf, BuildError> {
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
    Ok(output)
}

/// The last build into `output`, when it read `inputs`, shows the same briefs at the build's
/// time and left the output as it still is: the build has nothing to do.
fn unchanged(
    cache: &BuildCache,
    output: &Path,
    inputs: Inputs,
    config: &crate::config::Config,
) -> Option<LastBuild> {
    let last = LastBuild::unchanged(cache, output, inputs, config.build_time)?;
    // Marks the site's cache folder used, so it is not evicted as abandoned.
    cache.evict_unused_sites(UNUSED_SITES_KEPT);
    Some(last)
}

/// Makes the search index (when the site has search) and writes it into `staging`: the paths
/// of its files, and a warning about it, if any.
fn write_search_index(
    site: &crate::site::Site,
    cache: &BuildCache,
    staging: &Staging,
) -> Result<(Vec<PathBuf>, Option<Diagnostic>), BuildError> {
    if !site.config.search.enabled {
        return Ok((Vec::new(), None));
    }
    // After the pages, not beside them: the index works on rayon's threads too, and its own
    // time and memory are then the stage's. (Made beside the pages on a pool of its own, the
    // 10,000-brief build was no faster: median 20.2 s either way, the two cores already busy.)
    let index = index_briefs(site, cache, staging.previous())
        .map_err(|err| BuildError::Content(vec![err]))?;
    // Thousands of small files (5,600 at 10,000 briefs), written on every thread as the pages
    // are: on tmpfs, 150 ms where one thread took 200.
    index
        .files
        .par_iter()
        .try_for_each(|file| staging.write(file))
        .map_err(BuildError::Output)?;
    // A patched index keeps the last one's other files, which it checked are there.
    index
        .kept
        .par_iter()
        .try_for_each(|path| {
            staging
                .keep_previous(path, |_| true)
                .then_some(())
                .with_context(|| format!("could not keep {} from the last build", path.display()))
        })
        .map_err(BuildError::Output)?;
    let mut paths: Vec<PathBuf> = index.files.into_iter().map(|file| file.path).collect();
    paths.extend(index.kept);
    Ok((paths, index.warning))
}

/// A key of everything a build with `options` into `output` reads.
fn inputs(config: &crate::config::Config, options: &BuildOptions, output: &Path) -> Option<Inputs> {
    let shown = (options.drafts, options.future, &options.base_url, output);
    Inputs::read(config, shown)
}

/// Frees the build's model on a thread of its own: at 10,000 briefs that is every brief's text
/// and rendering, and a tenth of a second or more that `folio build` need not wait for, as the
/// process exits once the report is printed (which ends the thread too).
fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
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
