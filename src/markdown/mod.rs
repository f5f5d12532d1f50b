//! Markdown → `Rendered`: pulldown-cmark events rewritten for briefs (footnotes, sources,
//! figures, heading ids, highlighted code), then written as HTML.
//!
//! One pass walks the body's block structure; inline events go through `inline`, which turns
//! footnote references into numbered note links and external links into cited sources. The
//! footnote definitions are rendered after the body, in number order, by the same walk.
//! Citations of a bibliography (`[@key]`) are found by the walk and formatted at the end
//! (`citations.rs`).

mod citations;
pub(crate) mod csl;
mod documents;
mod figures;
mod footnotes;
mod headings;
pub mod highlight;
mod memo;
mod nesting;
pub mod sanitize;
mod sources;

use crate::content::addresses::{address_help, refused_address};
use crate::diagnostics::Diagnostic;
use citations::Citations;
use footnotes::Notes;
use headings::Headings;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use sources::SourceList;
use std::collections::VecDeque;
use std::ops::Range;
use std::path::Path;

pub use citations::{Bibliography, Reference};
pub use documents::render_doc;
pub use figures::{FigureRead, figures_unchanged};
pub use footnotes::{BackRef, Footnote};
pub use headings::TocEntry;
pub use sources::{Citation, Source};

/// A Markdown text rendered to HTML, with what a theme needs to place beside it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rendered {
    pub html: String,
    /// Level 2 and 3 headings, in order.
    pub toc: Vec<TocEntry>,
    /// Notes in number order, for the theme's Notes section.
    pub footnotes: Vec<Footnote>,
    /// External URLs cited, in order of first citation, each once.
    pub sources: Vec<Source>,
    /// The bibliography entries cited, formatted, in the style's order.
    pub references: Vec<Reference>,
    pub figure_count: usize,
    pub has_code: bool,
    pub word_count: usize,
    /// Headings, internal links and images with their places, for `folio check` (kept in the
    /// build cache with the rest; themes are given the other fields one by one).
    pub facts: Facts,
}

/// What a text holds that `folio check` inspects, each with its place in the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Every heading of the body and notes, in order.
    pub headings: Vec<HeadingFact>,
    /// Every link that is not an external `http(s)` source or an email address, in order.
    pub links: Vec<LinkFact>,
    /// Every image, inline or figure, in order.
    pub images: Vec<ImageFact>,
    /// Every table, in order.
    pub tables: Vec<TableFact>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableFact {
    /// The table's number, when a `Table:` caption follows it.
    pub number: Option<usize>,
    pub at: Spot,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadingFact {
    pub level: u8,
    pub title: String,
    pub at: Spot,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkFact {
    /// The address as written.
    pub dest: String,
    pub at: Spot,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageFact {
    pub src: String,
    pub alt: String,
    /// The figure's number, when the image stands alone in its paragraph.
    pub figure: Option<usize>,
    /// Whether a `Source:` paragraph follows the figure.
    pub credited: bool,
    pub at: Spot,
}

/// A place in the file a Markdown text came from, kept for diagnostics made after rendering.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Spot {
    /// 1-based line of the file.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Characters to underline.
    pub width: usize,
    /// The text of the line.
    pub snippet: String,
}

impl Spot {
    /// Puts a diagnostic at this place.
    pub fn apply(&self, mut diagnostic: Diagnostic) -> Diagnostic {
        diagnostic.line = self.line;
        diagnostic.column = self.column;
        diagnostic.snippet = Some(self.snippet.clone());
        diagnostic.width(self.width)
    }
}

/// Where a Markdown text comes from, for ids and diagnostics.
pub struct MarkdownInput<'a> {
    pub text: &'a str,
    /// The line of the file on which `text` starts (1-based).
    pub first_line: usize,
    /// The file, as shown in diagnostics.
    pub path: &'a Path,
    /// Put before every generated id so ids never collide across briefs (`<slug>-`).
    pub id_prefix: &'a str,
    /// The site's root path (`""` or `/prefix`), put before links written from the site's root
    /// (`/briefs/x/`), so content links stay right when the site moves under a path.
    pub root_path: &'a str,
}

impl MarkdownInput<'_> {
    /// A link or image address as the built site needs it: `/briefs/x/` becomes
    /// `<root>/briefs/x/`; addresses already under the root, relative ones and other hosts
    /// stay as written.
    pub fn site_address<'c>(&self, dest: CowStr<'c>) -> CowStr<'c> {
        let root = self.root_path;
        let from_root = dest.starts_with('/') && !dest.starts_with("//");
        let prefixed = &*dest == root || dest.starts_with(&format!("{root}/"));
        if root.is_empty() || !from_root || prefixed {
            dest
        } else {
            CowStr::from(format!("{root}{dest}"))
        }
    }

    /// Places a diagnostic at a byte offset of the Markdown text, as a line of the file.
    pub fn place(&self, diagnostic: Diagnostic, offset: usize) -> Diagnostic {
        let (line, column) = crate::diagnostics::line_column(self.text, offset);
        let mut placed = diagnostic.at(self.text, line, column);
        placed.line = line + self.first_line - 1;
        placed
    }

    /// The place of a byte range of the Markdown text, underlining its first line.
    pub fn spot(&self, range: Range<usize>) -> Spot {
        let (line, line_start, start) = crate::diagnostics::line_of(self.text, range.start);
        let line_end = memchr::memchr(b'\n', &self.text.as_bytes()[start..])
            .map_or(self.text.len(), |i| start + i);
        let line_text = &self.text[line_start..line_end];
        let spanned = self.text.get(range).unwrap_or("");
        Spot {
            line: line + self.first_line - 1,
            column: self.text[line_start..start].chars().count() + 1,
            width: spanned.lines().next().map_or(1, |l| l.chars().count()),
            // As `str::lines` gives it: without a carriage return before a newline.
            snippet: match line_text.strip_suffix('\r') {
                Some(text) if line_end < self.text.len() => text,
                _ => line_text,
            }
            .to_string(),
        }
    }
}

/// Renders one Markdown text; problems (undefined or unused footnotes) come back as diagnostics.
pub fn render_markdown(input: &MarkdownInput<'_>) -> (Rendered, Vec<Diagnostic>) {
    render_cited_markdown(input, None)
}

/// Renders one Markdown text that may cite from `bibliography` (`[@key]`).
pub fn render_cited_markdown<'a>(
    input: &'a MarkdownInput<'a>,
    bibliography: Option<&'a Bibliography<'a>>,
) -> (Rendered, Vec<Diagnostic>) {
    let (rendered, problems, _) = render_beside_figures(input, bibliography, None);
    (rendered, problems)
}

/// Renders one Markdown text whose figures' files lie in `figure_dir`, so each `<img>` gets the
/// `width` and `height` of its file and the page does not shift as images load; also returns
/// every figure looked up, for the build cache.
pub fn render_beside_figures<'a>(
    input: &'a MarkdownInput<'a>,
    bibliography: Option<&'a Bibliography<'a>>,
    figure_dir: Option<&'a Path>,
) -> (Rendered, Vec<Diagnostic>, Vec<FigureRead>) {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(input.text, options())
        .into_offset_iter()
        .collect();
    if let Some(too_deep) = nesting::too_deep(input, &events) {
        return (Rendered::default(), vec![too_deep], Vec::new());
    }
    let events = merge_text(events);
    let (body, definitions) = footnotes::split_definitions(events);
    let mut walk = Walk::new(input, definitions);
    walk.citations = bibliography.map(Citations::new);
    walk.figure_files.dir = figure_dir;
    let body = walk.blocks(body);
    let mut html = String::with_capacity(input.text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, body.into_iter());
    let mut footnotes = walk.render_notes();
    let references = match walk.citations.take() {
        Some(cited) => citations::finish(cited, &mut walk.sources, &mut html, &mut footnotes),
        None => Vec::new(),
    };
    let Walk {
        headings,
        sources,
        figure_count,
        has_code,
        word_count,
        mut diagnostics,
        notes,
        facts,
        figure_files,
        ..
    } = walk;
    diagnostics.extend(notes.unused(input));
    let rendered = Rendered {
        html,
        toc: headings.toc,
        footnotes,
        sources: sources.into_list(),
        references,
        figure_count,
        has_code,
        word_count,
        facts,
    };
    (rendered, diagnostics, figure_files.read)
}

/// CommonMark plus the extensions DESIGN.md names.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Joins runs of text events (the parser splits text at `[`, `'` and the like), so that what a
/// reader sees as one piece of text can be searched in one piece.
fn merge_text(events: Vec<(Event<'_>, Range<usize>)>) -> Vec<(Event<'_>, Range<usize>)> {
    let mut merged: Vec<(Event<'_>, Range<usize>)> = Vec::with_capacity(events.len());
    for (event, range) in events {
        if let (Event::Text(next), Some((Event::Text(text), last))) = (&event, merged.last_mut()) {
            let mut joined = text.to_string();
            joined.push_str(next);
            *text = CowStr::from(joined);
            last.end = range.end;
            continue;
        }
        merged.push((event, range));
    }
    merged
}

/// The state of one rendering: what has been numbered, cited and seen so far.
struct Walk<'i> {
    input: &'i MarkdownInput<'i>,
    notes: Notes<'i>,
    headings: Headings,
    sources: SourceList,
    /// Where a citation made now is, as the Sources list names it ("Note 3", a heading).
    place: String,
    /// For each open link, whether it is an external one we rewrote.
    links: Vec<bool>,
    figure_count: usize,
    table_count: usize,
    has_code: bool,
    word_count: usize,
    counting_words: bool,
    diagnostics: Vec<Diagnostic>,
    facts: Facts,
    /// Inline images whose alt text is being read: their index in `facts.images`.
    open_images: Vec<usize>,
    /// The bibliography's citations, when the text has a bibliography.
    citations: Option<Citations<'i>>,
    /// The number of the note being rendered, while notes are.
    rendering_note: Option<usize>,
    /// Where figures' files are looked up for their sizes, and what was found.
    figure_files: figures::FigureFiles<'i>,
}

type Spanned<'a> = (Event<'a>, Range<usize>);

impl<'i> Walk<'i> {
    fn new(input: &'i MarkdownInput<'i>, definitions: footnotes::Definitions<'i>) -> Self {
        Walk {
            input,
            notes: Notes::new(definitions, input.id_prefix),
            headings: Headings::default(),
            sources: SourceList::new(input.id_prefix),
            place: "Introduction".into(),
            links: Vec::new(),
            figure_count: 0,
            table_count: 0,
            has_code: false,
            word_count: 0,
            counting_words: true,
            diagnostics: Vec::new(),
            facts: Facts::default(),
            open_images: Vec::new(),
            citations: None,
            rendering_note: None,
            figure_files: figures::FigureFiles::default(),
        }
    }

    /// Rewrites a sequence of block-level events.
    fn blocks(&mut self, events: Vec<Spanned<'i>>) -> Vec<Event<'i>> {
        let mut out = Vec::with_capacity(events.len());
        let mut events: VecDeque<Spanned<'i>> = events.into();
        while let Some((event, range)) = events.pop_front() {
            match event {
                Event::Start(Tag::Paragraph) => {
                    if let Some(figure) = figures::take_figure(&mut events) {
                        self.figure(figure, &mut out);
                    } else {
                        out.push(Event::Start(Tag::Paragraph));
                    }
                }
                Event::Start(Tag::Heading { .. }) => {
                    let inner =
                        take_until(&mut events, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                    self.heading(event, range, inner, &mut out);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let inner =
                        take_until(&mut events, |e| matches!(e, Event::End(TagEnd::CodeBlock)));
                    out.push(self.code_block(kind, inner));
                }
                Event::Start(Tag::HtmlBlock) => {
                    self.html_block(&events, range.start);
                    out.push(Event::Start(Tag::HtmlBlock));
                }
                Event::Start(Tag::Table(alignments)) => {
                    let mut inner =
                        take_until(&mut events, |e| matches!(e, Event::End(TagEnd::Table)));
                    inner.insert(0, (Event::Start(Tag::Table(alignments)), range.clone()));
                    self.table(inner, range, &mut events, &mut out);
                }
                other => out.push(self.inline(other, range)),
            }
        }
        out
    }

    /// Rewrites one inline event: footnote references, external links, text.
    fn inline(&mut self, event: Event<'i>, range: Range<usize>) -> Event<'i> {
        match event {
            Event::FootnoteReference(label) => match self.notes.reference(&label) {
                Some(html) => Event::Html(html.into()),
                None => {
                    self.undefined_note(&label, range.start);
                    Event::Text(format!("[^{label}]").into())
                }
            },
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) if sources::is_external(&dest_url) => {
                self.links.push(true);
                let id = self.sources.cite(&dest_url, &self.place);
                Event::Html(sources::open_link(&dest_url, &title, &id).into())
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self
                    .input
                    .site_address(self.checked_address(dest_url, &range));
                if link_type != LinkType::Email {
                    self.facts.links.push(LinkFact {
                        dest: dest_url.to_string(),
                        at: self.input.spot(range),
                    });
                }
                self.links.push(false);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self
                    .input
                    .site_address(self.checked_address(dest_url, &range));
                self.open_images.push(self.facts.images.len());
                self.facts.images.push(ImageFact {
                    src: dest_url.to_string(),
                    alt: String::new(),
                    figure: None,
                    credited: false,
                    at: self.input.spot(range),
                });
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Image) => {
                self.open_images.pop();
                event
            }
            Event::Code(ref code) => {
                self.alt_text(code);
                self.sources.name_text(code);
                event
            }
            Event::End(TagEnd::Link) => match self.links.pop() {
                Some(true) => {
                    self.sources.end_link();
                    Event::Html("</a>".into())
                }
                _ => event,
            },
            Event::Text(text) => {
                self.text(&text, range.start);
                self.sources.name_text(&text);
                let citable =
                    text.contains('@') && self.open_images.is_empty() && self.links.is_empty();
                match citable.then(|| self.cite_in_text(&text, range)).flatten() {
                    Some(html) => Event::Html(html.into()),
                    None => Event::Text(text),
                }
            }
            other => other,
        }
    }

    /// Counts words and catches `[^label]` left as text: a reference to an undefined note.
    fn text(&mut self, text: &str, offset: usize) {
        self.alt_text(text);
        if self.counting_words {
            self.word_count += text.split_whitespace().count();
        }
        for (at, label) in footnotes::unresolved_references(text) {
            self.undefined_note(label, offset + at);
        }
    }

    /// Adds text to the alt text of the inline image being read, if any.
    fn alt_text(&mut self, text: &str) {
        if let Some(&image) = self.open_images.last() {
            self.facts.images[image].alt.push_str(text);
        }
    }

    fn undefined_note(&mut self, label: &str, offset: usize) {
        let diagnostic = self
            .at(
                Diagnostic::error(
                    self.input.path,
                    format!("footnote `[^{label}]` is referenced but never defined"),
                ),
                offset,
            )
            .width(label.chars().count() + 3)
            .help(format!(
                "add a definition on its own line, e.g. `[^{label}]: The source of this claim.`, \
                 or correct the label"
            ));
        self.diagnostics.push(diagnostic);
    }

    /// The address of a link or image, or `#` in place of one that may not be published
    /// (`javascript:`, `data:`, `file:` …), which is an error at its place.
    fn checked_address(&mut self, dest: CowStr<'i>, range: &Range<usize>) -> CowStr<'i> {
        let Some(why) = refused_address(&dest) else {
            return dest;
        };
        let refused = Diagnostic::error(self.input.path, why).help(address_help());
        self.diagnostics
            .push(self.input.spot(range.clone()).apply(refused));
        CowStr::Borrowed("#")
    }

    /// An HTML block that opens a comment and never closes it hides everything after it, notes
    /// included: an error at the comment, as a reader would otherwise lose the text silently.
    fn html_block(&mut self, events: &VecDeque<Spanned<'i>>, offset: usize) {
        let text: String = events
            .iter()
            .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::HtmlBlock)))
            .filter_map(|(e, _)| match e {
                Event::Html(html) => Some(html.as_ref()),
                _ => None,
            })
            .collect();
        if text.trim_start().starts_with("<!--") && !text.contains("-->") {
            let unclosed = Diagnostic::error(
                self.input.path,
                "this HTML comment is never closed, so it hides the rest of the text",
            )
            .width(4)
            .help("close it with `-->` where the hidden part should end");
            self.diagnostics.push(self.at(unclosed, offset));
        }
    }

    /// A figure's caption as HTML: its title escaped, each `[^label]` in it made a note
    /// reference (an error when no such note is defined), never left as literal text.
    fn caption(&mut self, title: &str, offset: usize) -> String {
        let mut html = String::new();
        let mut rest = 0;
        let marks: Vec<(usize, String)> = footnotes::unresolved_references(title)
            .map(|(at, label)| (at, label.to_string()))
            .collect();
        for (at, label) in marks {
            html.push_str(&escape(&title[rest..at]));
            match self.notes.reference(&label) {
                Some(reference) => html.push_str(&reference),
                None => {
                    self.undefined_note(&label, offset);
                    html.push_str(&escape(&format!("[^{label}]")));
                }
            }
            rest = at + label.len() + 3;
        }
        html.push_str(&escape(&title[rest..]));
        html
    }

    fn at(&self, diagnostic: Diagnostic, offset: usize) -> Diagnostic {
        self.input.place(diagnostic, offset)
    }

    fn heading(
        &mut self,
        start: Event<'i>,
        range: Range<usize>,
        inner: Vec<Spanned<'i>>,
        out: &mut Vec<Event<'i>>,
    ) {
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = start
        else {
            unreachable!("heading() is only called on a heading start")
        };
        let title = plain_text(&inner);
        self.facts.headings.push(HeadingFact {
            level: level as u8,
            title: title.clone(),
            at: self.input.spot(range.clone()),
        });
        let id = self.headings.add(level, id.as_deref(), &title);
        self.place = title;
        for (name, _) in &attrs {
            let refused = Diagnostic::error(
                self.input.path,
                format!("the heading attribute `{name}` is not allowed"),
            )
            .help("a heading takes only an id and classes: `## Title {#id .class}`");
            self.diagnostics.push(self.at(refused, range.start));
        }
        out.push(Event::Start(Tag::Heading {
            level,
            id: Some(id.into()),
            classes,
            attrs: Vec::new(),
        }));
        for (event, range) in inner {
            out.push(self.inline(event, range));
        }
    }

    fn code_block(&mut self, kind: CodeBlockKind<'_>, inner: Vec<Spanned<'_>>) -> Event<'i> {
        let code: String = inner
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let language = match &kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
            CodeBlockKind::Indented => "",
        };
        self.has_code |= !language.is_empty();
        Event::Html(highlight::highlight(&code, language).into())
    }

    fn figure(&mut self, mut figure: figures::Figure<'i>, out: &mut Vec<Event<'i>>) {
        let src = self.checked_address(figure.src, &figure.range);
        figure.src = self.input.site_address(src);
        self.figure_count += 1;
        let number = self.figure_count;
        self.facts.images.push(ImageFact {
            src: figure.src.to_string(),
            alt: figure.alt.clone(),
            figure: Some(number),
            credited: figure.credit.is_some(),
            at: self.input.spot(figure.range.clone()),
        });
        let caption = self.caption(&figure.title, figure.range.start);
        let size = self.figure_files.size(&figure.src);
        out.push(Event::Html(
            figures::open(&figure, &caption, size, number, self.input.id_prefix).into(),
        ));
        if let Some(credit) = figure.credit {
            let place = std::mem::replace(&mut self.place, format!("Figure {number}"));
            out.push(Event::Html(r#" <span class="credit">"#.into()));
            for (event, range) in credit {
                out.push(self.inline(event, range));
            }
            out.push(Event::Html("</span>".into()));
            self.place = place;
        }
        out.push(Event::Html("</figcaption></figure>\n".into()));
    }

    /// A table; with a `Table:` paragraph after it, a numbered table figure: the caption above,
    /// and a `Source:` paragraph after the caption as its credit below, whose links are cited
    /// from "Table N" in the Sources. A table without a caption is noted for `check`.
    fn table(
        &mut self,
        table: Vec<Spanned<'i>>,
        range: Range<usize>,
        events: &mut VecDeque<Spanned<'i>>,
        out: &mut Vec<Event<'i>>,
    ) {
        let Some(caption) = figures::take_table_caption(events) else {
            self.facts.tables.push(TableFact {
                number: None,
                at: self.input.spot(range),
            });
            out.extend(table.into_iter().map(|(e, r)| self.inline(e, r)));
            return;
        };
        self.table_count += 1;
        let number = self.table_count;
        self.facts.tables.push(TableFact {
            number: Some(number),
            at: self.input.spot(range),
        });
        let place = std::mem::replace(&mut self.place, format!("Table {number}"));
        let prefix = self.input.id_prefix;
        out.push(Event::Html(
            format!(r#"<figure class="table-figure" id="{prefix}tbl-{number}"><figcaption><span class="fig-label">Table {number}.</span> "#).into(),
        ));
        for (event, range) in caption {
            out.push(self.inline(event, range));
        }
        out.push(Event::Html("</figcaption>\n".into()));
        out.extend(table.into_iter().map(|(e, r)| self.inline(e, r)));
        if let Some(credit) = figures::take_credit(events) {
            out.push(Event::Html(r#"<p class="credit">"#.into()));
            for (event, range) in credit {
                out.push(self.inline(event, range));
            }
            out.push(Event::Html("</p>\n".into()));
        }
        out.push(Event::Html("</figure>\n".into()));
        self.place = place;
    }

    /// Renders the definitions of every referenced note, in number order. A note may cite
    /// another; that one is numbered when first met and rendered in its turn.
    fn render_notes(&mut self) -> Vec<Footnote> {
        self.counting_words = false;
        let mut rendered = Vec::new();
        while let Some((number, events)) = self.notes.next_definition() {
            self.place = format!("Note {number}");
            self.rendering_note = Some(number);
            self.sources.set_rank(number);
            let html = match events {
                Some(events) => {
                    let body = self.blocks(events);
                    footnotes::note_html(body)
                }
                // A citation's note: its text is formatted with the others at the end.
                None => self
                    .citations
                    .as_ref()
                    .and_then(|c| c.note_marker(number))
                    .unwrap_or_default(),
            };
            rendered.push(html);
        }
        self.rendering_note = None;
        self.notes.finish(rendered)
    }
}

/// Takes events up to and including the one `is_end` accepts; returns those before it.
fn take_until<'a>(
    events: &mut VecDeque<Spanned<'a>>,
    is_end: impl Fn(&Event<'a>) -> bool,
) -> Vec<Spanned<'a>> {
    let mut inner = Vec::new();
    while let Some((event, range)) = events.pop_front() {
        if is_end(&event) {
            inner.push((event, range));
            break;
        }
        inner.push((event, range));
    }
    inner
}

/// The text a reader sees in a run of inline events (for TOC entries and alt text).
fn plain_text(events: &[Spanned<'_>]) -> String {
    events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A sentence or two of inline Markdown (a key finding) as HTML: emphasis, code and links
/// kept; raw HTML shown as text, never as markup; links to refused addresses kept as text.
pub fn inline_html(text: &str) -> String {
    let mut refused_open = 0usize;
    let events = Parser::new_ext(
        text,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION,
    )
    .filter_map(|event| match event {
        Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Link { ref dest_url, .. }) if refused_address(dest_url).is_some() => {
            refused_open += 1;
            None
        }
        Event::End(TagEnd::Link) if refused_open > 0 => {
            refused_open -= 1;
            None
        }
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_string()
}

/// The words of a sentence of inline Markdown, without its markup (for a meta description).
pub fn inline_text(text: &str) -> String {
    Parser::new(text)
        .filter_map(|event| match event {
            Event::Text(t) | Event::Code(t) => Some(t.into_string()),
            Event::SoftBreak | Event::HardBreak => Some(" ".into()),
            _ => None,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A brief's text as the tests render it: its body starting on line 10.
    fn input(text: &str) -> MarkdownInput<'_> {
        MarkdownInput {
            text,
            first_line: 10,
            path: Path::new("content/briefs/x.md"),
            id_prefix: "x-",
            root_path: "",
        }
    }

    fn facts(text: &str) -> Facts {
        render_markdown(&input(text)).0.facts
    }

    /// Every offset of a text with CR LF endings, several-byte characters and a last line
    /// without its newline gets the line, column and snippet `str::lines` would give.
    #[test]
    fn a_spot_is_the_line_and_column_lines_would_give() {
        let text = "Café au lait\r\n\nzwei Straße ✓\r\nend\r";
        let input = MarkdownInput {
            first_line: 3,
            ..input(text)
        };
        for offset in 0..=text.len() {
            let spot = input.spot(offset..offset);
            let start = (0..=offset)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap();
            let line = text[..start].matches('\n').count() + 1;
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(spot.line, line + 2, "{offset}");
            assert_eq!(spot.column, text[line_start..start].chars().count() + 1);
            assert_eq!(
                spot.snippet,
                text.lines().nth(line - 1).unwrap_or(""),
                "{offset}"
            );
        }
    }

    #[test]
    fn headings_are_kept_with_level_and_file_line() {
        let found = facts("Intro.\n\n## Findings\n\n#### Detail *here*\n");
        let headings: Vec<_> = found
            .headings
            .iter()
            .map(|h| (h.level, h.title.as_str(), h.at.line, h.at.column))
            .collect();
        assert_eq!(
            headings,
            [(2, "Findings", 12, 1), (4, "Detail here", 14, 1)]
        );
    }

    #[test]
    fn internal_links_are_kept_and_sources_and_emails_are_not() {
        let text = "See [a](/briefs/a/), [b](https://x.org/) and <a@b.org>.[^n]\n\n\
                    [^n]: And [c](../c/) in a note.\n";
        let found = facts(text);
        let links: Vec<_> = found
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.at.line, l.at.column))
            .collect();
        assert_eq!(links, [("/briefs/a/", 10, 5), ("../c/", 12, 11)]);
    }

    #[test]
    fn images_keep_alt_text_figure_number_and_credit() {
        let text = "Inline ![an `icon`](i.svg) here.\n\n![](chart.svg \"Caption\")\n\n\
                    ![Chart](c2.svg)\n\nSource: [ONS](https://ons.gov.uk/).\n";
        let found = facts(text);
        let images: Vec<_> = found
            .images
            .iter()
            .map(|i| (i.alt.as_str(), i.figure, i.credited, i.at.line))
            .collect();
        assert_eq!(
            images,
            [
                ("an icon", None, false, 10),
                ("", Some(1), false, 12),
                ("Chart", Some(2), true, 14)
            ]
        );
    }

    /// A caption whose `[^` opens inside another's label (found by the fuzzer) is escaped
    /// text around the one real reference, not a slice across the two.
    #[test]
    fn a_caption_with_nested_note_marks_keeps_its_text() {
        let text = "![](c.svg \"See [^[^n] and [^[^]\")\n\n[^n]: A note.\n";
        let (rendered, problems) = render_markdown(&input(text));
        let caption = rendered.html.split("<figcaption").nth(1).unwrap();
        assert!(caption.contains("See [^"), "{caption}");
        assert!(caption.contains("href=\"#x-fn-1\""), "{caption}");
        assert!(caption.contains("and [^[^]"), "{caption}");
        assert!(problems.is_empty(), "{problems:?}");
    }
}
