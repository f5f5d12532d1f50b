//! Criterion benchmarks of folio's per-brief stages, each timed on its own (see bench/README.md).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use folio::cache::BuildCache;
use folio::content::SourceFile;
use folio::content::frontmatter::{Fields, split};
use folio::engine::Engine;
use folio::markdown::{MarkdownInput, render_markdown};
use folio::render::cite::{Reference, formatted_citation};
use folio::render::{Job, prepare_theme, render_jobs};
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// A brief from `bench/gen_corpus.py --flavor yaml` (footnotes, linked sources, a Python block).
const FIXTURE: &str = "robust-roadmaps-designing-the-exemption-agenda";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The fixture brief as the content stage holds it after reading.
fn fixture() -> SourceFile {
    let shown = PathBuf::from(format!("benches/fixtures/{FIXTURE}.md"));
    let path = repo_root().join(&shown);
    let text = std::fs::read_to_string(&path).expect("read the fixture brief");
    SourceFile { path, shown, text }
}

/// The brief's fields read as the content stage reads a brief's (documents.rs is private).
fn read_front_matter(file: &SourceFile) -> usize {
    let split = split(file).expect("front matter");
    let mut fields = Fields::parse(file, &split).expect("YAML");
    let title = fields.required_text("title", "Closing the skills gap");
    let date = fields.required_date("date");
    let authors = fields.required_list("authors", "[jane-doe]");
    let texts = ["subtitle", "summary", "type", "image", "pdf", "doi"].map(|k| fields.text(k));
    let updated = fields.date("updated");
    let topics = fields.list("topics");
    let draft = fields.flag("draft");
    black_box((
        title,
        date,
        updated,
        texts,
        topics,
        draft,
        fields.value("extra"),
    ));
    authors.map_or(0, |a| a.len()) + fields.problems.len()
}

fn front_matter(c: &mut Criterion) {
    let file = fixture();
    c.bench_function("front_matter", |b| {
        b.iter(|| read_front_matter(black_box(&file)))
    });
}

/// Renders a brief's body as the content stage does (footnotes, sources, highlighting).
fn render_body(text: &str, first_line: usize, path: &Path) -> usize {
    let input = MarkdownInput {
        text,
        first_line,
        path,
        id_prefix: "robust-roadmaps-designing-the-exemption-agenda-",
        root_path: "",
    };
    let (rendered, problems) = render_markdown(&input);
    rendered.html.len() + problems.len()
}

/// The text without its fenced code blocks, fences included.
fn without_code(body: &str) -> String {
    let mut fenced = false;
    let mut kept = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        if fence {
            fenced = !fenced;
        } else if !fenced {
            kept.push_str(line);
        }
    }
    kept
}

/// Fails unless the body renders with its notes, sources and highlighted code, so that no
/// stage is measured while it is switched off.
fn assert_highlighted(text: &str, first_line: usize, path: &Path) {
    let input = MarkdownInput {
        text,
        first_line,
        path,
        id_prefix: "b-",
        root_path: "",
    };
    let (rendered, _) = render_markdown(&input);
    assert!(!rendered.footnotes.is_empty() && !rendered.sources.is_empty());
    assert!(
        rendered.html.contains("class=\"hl-"),
        "code was not highlighted"
    );
}

fn markdown(c: &mut Criterion) {
    let file = fixture();
    let split = split(&file).expect("front matter");
    let (line, path) = (split.body_line, file.shown.as_path());
    let plain = without_code(split.body);
    assert!(split.body.contains("```python") && !plain.contains("```"));
    assert_highlighted(split.body, line, path);
    c.bench_function("markdown", |b| {
        b.iter(|| render_body(black_box(split.body), line, path))
    });
    c.bench_function("markdown_no_code", |b| {
        b.iter(|| render_body(black_box(&plain), line, path))
    });
}

/// The repository's example site, loaded and linked, its theme prepared.
fn example_site() -> ExampleSite {
    let Ok(mut engine) = Engine::open(&repo_root(), None) else {
        panic!("the example site's settings or theme do not load");
    };
    let (site, diagnostics) =
        engine.load(folio::site::Shown::default(), true, &BuildCache::disabled());
    assert!(!diagnostics.has_errors(), "the example site has errors");
    prepare_theme(&site, &mut engine.theme);
    ExampleSite {
        site,
        theme: engine.theme,
    }
}

/// The example site, linked, with its theme prepared for it.
struct ExampleSite {
    site: folio::site::Site,
    theme: folio::render::Theme,
}

fn template_render(c: &mut Criterion) {
    let loaded = example_site();
    let jobs = [Job::Brief(0)];
    c.bench_function("template_render", |b| {
        b.iter(|| render_jobs(&loaded.site, &loaded.theme, black_box(&jobs)).map(|f| f.len()))
    });
}

/// Formats the citation of the site's first brief; each iteration's reference has its own URL,
/// so that a memo of formatted citations cannot answer it and hayagriva formats every time.
fn cite(c: &mut Criterion) {
    let site = example_site().site;
    let brief = &site.briefs[0];
    assert!(!formatted_citation(&site, &Reference::new(&site, brief), "chicago-notes").is_empty());
    let mut n = 0u64;
    let mut fresh = || {
        n += 1;
        let mut reference = Reference::new(&site, brief);
        reference.url = format!("{}?v={n}", reference.url);
        reference
    };
    c.bench_function("cite", |b| {
        b.iter_batched(
            &mut fresh,
            |r| formatted_citation(&site, &r, "chicago-notes"),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(stages, front_matter, markdown, template_render, cite);
criterion_main!(stages);
