//! The typeset PDF edition of every brief, made in-process with Typst from the same rendering
//! as its page, with the theme's template (`pdf/brief.typ`); each kept in the build cache by
//! its inputs, so an unchanged brief is never typeset twice.

mod data;
mod markup;
mod world;

use crate::cache::{BuildCache, Key, Shelf};
use crate::diagnostics::Diagnostic;
use crate::render::theme::embedded_files;
use crate::site::{Brief, Site};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use typst::WorldExt;
use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use walkdir::WalkDir;

/// What every brief of a build is typeset with: fonts, library and template, loaded once.
pub struct Typesetter {
    shared: world::Shared,
    /// A hash of the template's files and the paper, for the build cache.
    fingerprint: Key,
    paper: &'static str,
    /// The organisation's About, as markup: the same in every brief.
    about: String,
}

/// The stack of each thread that typesets, as Typst's own command line gives its main thread.
const TYPESET_STACK: usize = 64 * 1024 * 1024;

/// How many briefs' typesetting a memo of Typst's outlives unused.
const MEMO_AGE: usize = 4;

/// Where the template comes from, as diagnostics name it.
const TEMPLATE_HELP: &str = "the PDF template is pdf/brief.typ in the theme, or in the site to \
                             override it; docs/THEME.md lists what it is given";

impl Typesetter {
    /// Loads the template of `site`'s theme: the theme's `pdf/` folder (the built-in one for
    /// the default theme), with the files of the site's own `pdf/` folder over it.
    pub fn new(site: &Site) -> Result<Typesetter, Diagnostic> {
        let files = template_files(&site.config);
        let paper = site.config.pdf.paper.typst_name();
        let fingerprint = Key::of_each(("pdf-template", paper), files.iter());
        let shared = world::Shared::new(files).ok_or_else(|| {
            Diagnostic::error(
                format!("themes/{}/pdf/brief.typ", site.config.theme),
                "the theme has no PDF template, or it is not UTF-8 text",
            )
            .help(TEMPLATE_HELP)
        })?;
        Ok(Typesetter {
            shared,
            fingerprint,
            paper,
            about: data::about_markup(site),
        })
    }

    /// Typesets one brief: its PDF's bytes, or the problem, placed at the brief.
    pub fn typeset(&self, site: &Site, brief: &Brief) -> Result<Vec<u8>, Diagnostic> {
        let inputs = data::brief_inputs(site, brief, &self.about, self.paper);
        self.typeset_inputs(brief, &inputs)
    }

    fn typeset_inputs(
        &self,
        brief: &Brief,
        inputs: &data::BriefInputs,
    ) -> Result<Vec<u8>, Diagnostic> {
        let world = world::BriefWorld::new(
            &self.shared,
            inputs.data.clone(),
            inputs.content.clone(),
            &inputs.figures,
        );
        let document = typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|errors| typeset_error(&world, brief, &errors))?;
        let options = typst_pdf::PdfOptions {
            ident: Smart::Custom(brief.url.clone()),
            ..Default::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|errors| typeset_error(&world, brief, &errors))
    }

    /// The key of a brief's PDF in the build cache: the template, and everything the brief's
    /// inputs are made from (`data::input_parts`), its figures' files by size and time. Made
    /// without making the inputs, so an unchanged brief costs a hash.
    fn key(&self, site: &Site, brief: &Brief) -> Key {
        let figures = data::figure_files_of(site, brief).into_iter().map(|file| {
            let meta = std::fs::metadata(&file).ok();
            let stamp = meta.map(|m| (m.len(), m.modified().ok()));
            (file, stamp)
        });
        let parts = data::input_parts(site, brief);
        Key::of_each(
            (self.fingerprint, &self.about, figures.collect::<Vec<_>>()),
            parts.iter(),
        )
    }
}

/// Typesets the PDF of every brief that folio makes one for, in parallel, or takes it from the
/// build cache when its inputs are unchanged; each brief's `pdf` then has its file (or bytes)
/// and size. A brief that cannot be typeset is an error at the brief.
pub fn typeset_briefs(site: &mut Site, cache: &BuildCache) -> Vec<Diagnostic> {
    let mut problems = too_long(site);
    let wanted = site
        .briefs
        .iter()
        .any(|b| b.pdf.as_ref().is_some_and(|p| p.typeset));
    if !wanted {
        return problems;
    }
    let typesetter = match Typesetter::new(site) {
        Ok(typesetter) => typesetter,
        Err(problem) => return vec![problem],
    };
    let cpu_before = cpu_ms();
    let made = in_parallel(&site.briefs, |brief| {
        brief.pdf.as_ref().filter(|p| p.typeset)?;
        let started = std::time::Instant::now();
        let made = make_pdf(&typesetter, site, brief, cache);
        Some((made, started.elapsed().as_secs_f64() * 1e3))
    });
    // Typst's memo of this build's layouts is of no use to the next one.
    typst::comemo::evict(0);
    if std::env::var_os("FOLIO_TIMINGS").is_some() {
        let times: Vec<f64> = made.iter().flatten().map(|(_, ms)| *ms).collect();
        report_times(&times, cpu_ms().zip(cpu_before).map(|(a, b)| a - b));
    }
    let made = made.into_iter().map(|m| m.map(|(made, _)| made));
    for (brief, made) in site.briefs.iter_mut().zip(made) {
        let (Some(pdf), Some(made)) = (brief.pdf.as_mut(), made) else {
            continue;
        };
        match made {
            Ok(Made::File(file, bytes)) => {
                pdf.file = Some(file);
                pdf.bytes = Some(bytes);
            }
            Ok(Made::Data(data)) => {
                pdf.bytes = Some(data.len() as u64);
                pdf.data = Some(data);
            }
            Err(problem) => problems.push(problem),
        }
    }
    problems
}

/// `work` done on each of `items`, on as many threads as rayon's (`FOLIO_PDF_SERIAL`: one),
/// each taking the next item when done with its last; the results in the items' order.
///
/// Plain threads, not rayon's: Typst runs parts of its work on rayon's threads, and a rayon
/// thread waiting for such a part takes on other jobs meanwhile; were briefs rayon jobs, it
/// would start brief after brief on one stack, each holding its memory (gigabytes at 1,000
/// briefs) and overflowing the stack. The threads get the stack Typst's command line gives.
fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = if std::env::var_os("FOLIO_PDF_SERIAL").is_some() {
        1
    } else {
        rayon::current_num_threads().max(1)
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let spawned = std::thread::Builder::new()
                .stack_size(TYPESET_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break };
                        *crate::lock(&results[index]) = Some(work(item));
                    }
                });
            if spawned.is_err() {
                break;
            }
        }
    });
    // A thread that could not be started leaves its items to this one.
    results
        .into_iter()
        .zip(items)
        .map(|(result, item)| {
            let result = result.into_inner().unwrap_or_else(|e| e.into_inner());
            result.unwrap_or_else(|| work(item))
        })
        .collect()
}

/// A warning for each brief too long to typeset (`MAX_TYPESET_WORDS`), which has no PDF.
fn too_long(site: &Site) -> Vec<Diagnostic> {
    let max = crate::site::attachments::MAX_TYPESET_WORDS;
    site.briefs
        .iter()
        .filter(|b| site.config.pdf.enabled && b.pdf.is_none() && b.doc.body.word_count > max)
        .map(|brief| {
            Diagnostic::warning(
                &brief.doc.shown,
                format!(
                    "this brief has no PDF: at {} words it is longer than the {max} folio typesets",
                    brief.doc.body.word_count
                ),
            )
            .help("split it, or give it a PDF of its own with `pdf:`")
        })
        .collect()
}

/// Prints how long each brief's PDF took (wall time on its thread: its CPU time, when the
/// build runs on one thread, `RAYON_NUM_THREADS=1`) and the CPU time of them all.
fn report_times(times: &[f64], cpu_ms: Option<f64>) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * q) as usize)
            .copied()
    };
    eprintln!(
        "timing: pdf: {} briefs, per brief median {:.1} ms, p90 {:.1} ms, max {:.1} ms; CPU {:.0} ms in all",
        sorted.len(),
        at(0.5).unwrap_or(0.0),
        at(0.9).unwrap_or(0.0),
        at(1.0).unwrap_or(0.0),
        cpu_ms.unwrap_or(f64::NAN)
    );
}

/// The CPU time the process has used so far, in ms (Linux: `/proc/self/stat`, in ticks of
/// 10 ms).
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

/// A typeset PDF: in the build cache, or in memory when there is no cache.
pub enum Made {
    File(PathBuf, u64),
    Data(Arc<[u8]>),
}

/// Typesets `brief`'s PDF, or takes it from `cache` when its inputs are unchanged.
pub fn make_pdf(
    typesetter: &Typesetter,
    site: &Site,
    brief: &Brief,
    cache: &BuildCache,
) -> Result<Made, Diagnostic> {
    let key = typesetter.key(site, brief);
    if let Some(kept) = kept_pdf(cache, key) {
        return Ok(kept);
    }
    let inputs = data::brief_inputs(site, brief, &typesetter.about, typesetter.paper);
    let bytes = typesetter.typeset_inputs(brief, &inputs);
    // Typst memoises what it computes, and checks each memo against every later brief: kept
    // whole, the memo makes each brief slower than the last. What the last few briefs used
    // (fonts, the template) stays warm.
    typst::comemo::evict(MEMO_AGE);
    let bytes = bytes?;
    cache.keep_entry(Shelf::Pdfs, key, &bytes);
    match kept_pdf(cache, key) {
        Some(kept) => Ok(kept),
        None => Ok(Made::Data(bytes.into())),
    }
}

/// The PDF kept on the build cache's shelf for `key`, with its size, if there is one.
fn kept_pdf(cache: &BuildCache, key: Key) -> Option<Made> {
    let file = cache.entry_path(Shelf::Pdfs, key)?;
    let meta = std::fs::metadata(&file).ok().filter(|m| m.is_file())?;
    Some(Made::File(file, meta.len()))
}

/// A Typst error as a diagnostic at the brief, saying where in the template it arose.
fn typeset_error(
    world: &world::BriefWorld<'_>,
    brief: &Brief,
    errors: &[SourceDiagnostic],
) -> Diagnostic {
    let first = errors.first();
    let message = first.map_or("unknown error".into(), |e| e.message.to_string());
    let place = first.and_then(|error| {
        let id = error.span.id()?;
        let range = world.range(error.span)?;
        let text = world.text_of(id)?;
        let line = text[..range.start.min(text.len())].lines().count().max(1);
        Some(format!(" (at {}:{line})", id.vpath().get_without_slash()))
    });
    let hints: Vec<String> = first
        .map(|e| e.hints.iter().map(|h| h.v.to_string()).collect())
        .unwrap_or_default();
    let mut help = TEMPLATE_HELP.to_string();
    if !hints.is_empty() {
        help = format!("{}; {help}", hints.join("; "));
    }
    Diagnostic::error(
        &brief.doc.shown,
        format!(
            "the brief's PDF could not be typeset: {message}{}",
            place.unwrap_or_default()
        ),
    )
    .help(help)
}

/// The template's files: the theme's `pdf/` folder, else the built-in theme's, with the site's
/// own `pdf/` files over them, by their path within the folder.
fn template_files(config: &crate::config::Config) -> Vec<(String, Vec<u8>)> {
    let theme = config.root.join("themes").join(&config.theme).join("pdf");
    // A theme without a template of its own is typeset with the built-in one.
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = if theme.is_dir() {
        read_folder(&theme)
    } else {
        embedded_files("pdf")
            .into_iter()
            .map(|(name, bytes)| (name, bytes.to_vec()))
            .collect()
    };
    files.extend(read_folder(&config.root.join("pdf")));
    files.into_iter().collect()
}

/// The files under `folder`, by their path within it.
fn read_folder(folder: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    WalkDir::new(folder)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(folder).ok()?;
            let name = relative.to_string_lossy().replace('\\', "/");
            Some((name, std::fs::read(entry.path()).ok()?))
        })
        .collect()
}
