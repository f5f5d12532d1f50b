//! A brief's rendered HTML → Typst markup in which every piece of text is escaped, so nothing
//! an author wrote is ever run as Typst code: the page's figures, tables and note numbers are
//! reused as they are, and notes become real footnotes with the page's numbers.
//!
//! Written by hand over the parsed HTML (`scraper`): no crate turns HTML into Typst, and the
//! HTML here is folio's own rendering, with a few known shapes (notes, figures, tables).

use crate::markdown::Footnote;
use scraper::{ElementRef, Html, Node};
use std::collections::HashSet;
use std::fmt::Write;

/// Escapes text for Typst markup: every ASCII punctuation mark gets a backslash (in markup a
/// backslash before any non-space character makes it literal), and line breaks become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A Typst string literal holding `text`, for code (`#link("…")`, `#raw("…")`).
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A figure's image, as the brief's HTML names it and the world will serve it.
pub struct FigureImage {
    /// The `src` of the `<img>`, relative to the brief's page.
    pub src: String,
    /// Its path in the Typst world (`/_folio/figure-1.svg`).
    pub path: String,
}

/// What converting HTML needs and collects.
pub struct Converter<'a> {
    /// The brief's notes, by number, to put at their first reference.
    notes: &'a [Footnote],
    /// The notes already placed (later references point to them).
    placed: HashSet<usize>,
    /// The page's absolute URL, against which relative links are resolved.
    page: Option<url::Url>,
    /// The figures' images met so far.
    pub images: Vec<FigureImage>,
}

impl<'a> Converter<'a> {
    pub fn new(notes: &'a [Footnote], page_url: &str) -> Converter<'a> {
        Converter {
            notes,
            placed: HashSet::new(),
            page: url::Url::parse(page_url).ok(),
            images: Vec::new(),
        }
    }

    /// Converts an HTML fragment (a body, a note, a bio) to markup.
    pub fn convert(&mut self, html: &str) -> String {
        let fragment = Html::parse_fragment(html);
        let mut out = String::with_capacity(html.len());
        self.children(fragment.root_element(), &mut out);
        out
    }

    /// The notes no reference placed (a note cited only where the PDF shows no reference), as
    /// footnotes, so every note of the page is in the PDF with its number.
    pub fn unplaced_notes(&mut self) -> String {
        let mut out = String::new();
        for index in 0..self.notes.len() {
            let number = self.notes[index].number;
            if !self.placed.contains(&number) {
                self.note(number, &mut out);
            }
        }
        out
    }

    fn children(&mut self, element: ElementRef<'_>, out: &mut String) {
        for child in element.children() {
            match child.value() {
                Node::Text(text) => out.push_str(&escape(text)),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(child) {
                        self.element(child, out);
                    }
                }
                _ => {}
            }
        }
    }

    /// The children as a content block, `[…]`.
    fn block(&mut self, element: ElementRef<'_>) -> String {
        let mut inner = String::new();
        self.children(element, &mut inner);
        format!("[{}]", inner.trim())
    }

    fn element(&mut self, element: ElementRef<'_>, out: &mut String) {
        let e = element.value();
        match e.name() {
            "p" if e.classes().any(|c| c == "credit") => {
                let credit = self.block(element);
                let _ = write!(out, "\n\n#align(center, text(size: 0.85em, {credit}))\n\n");
            }
            "p" | "div" | "section" | "article" | "aside" | "header" | "footer" | "main"
            | "nav" | "details" => {
                out.push_str("\n\n");
                self.children(element, out);
                out.push_str("\n\n");
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e.name()[1..]
                    .parse::<usize>()
                    .unwrap_or(2)
                    .saturating_sub(1);
                let title = self.block(element);
                let _ = write!(out, "\n\n#heading(level: {}){title}\n\n", level.max(1));
            }
            "em" | "i" | "cite" | "dfn" | "var" => {
                let _ = write!(out, "#emph{}", self.block(element));
            }
            "strong" | "b" => {
                let _ = write!(out, "#strong{}", self.block(element));
            }
            "del" | "s" | "strike" => {
                let _ = write!(out, "#strike{}", self.block(element));
            }
            "sub" => {
                let _ = write!(out, "#sub{}", self.block(element));
            }
            "sup" if e.classes().any(|c| c == "fn-ref") => self.note_reference(element, out),
            "sup" => {
                let _ = write!(out, "#super{}", self.block(element));
            }
            "code" | "kbd" | "samp" => {
                let code: String = element.text().collect();
                let _ = write!(out, "#raw({})", string(&code));
            }
            "pre" => self.code_block(element, out),
            "br" => out.push_str("#linebreak()"),
            "hr" => out.push_str("\n\n#line(length: 100%, stroke: 0.5pt)\n\n"),
            "a" => self.link(element, out),
            "ul" | "ol" => self.list(element, out),
            "blockquote" => {
                let _ = write!(out, "\n\n#quote(block: true){}\n\n", self.block(element));
            }
            "figure" if e.classes().any(|c| c == "table-figure") => self.table_figure(element, out),
            "figure" => self.figure(element, out),
            "table" => {
                let table = self.table(element);
                let _ = write!(out, "\n\n{table}\n\n");
            }
            "img" => {
                if let Some(alt) = e.attr("alt").filter(|alt| !alt.trim().is_empty()) {
                    let _ = write!(out, "\\[{}\\]", escape(alt));
                }
            }
            // Scripts, styles and embedded media have no printed form.
            "script" | "style" | "template" | "noscript" | "iframe" | "svg" | "math" | "video"
            | "audio" | "object" | "embed" | "canvas" | "button" | "input" | "select"
            | "textarea" => {}
            _ => self.children(element, out),
        }
    }

    /// A reference to a note: the note itself as a footnote at its first reference, with the
    /// page's number; a footnote pointing to it at every later one.
    fn note_reference(&mut self, element: ElementRef<'_>, out: &mut String) {
        let number = element
            .text()
            .collect::<String>()
            .trim()
            .parse::<usize>()
            .ok();
        match number {
            Some(number) if self.placed.contains(&number) => {
                let _ = write!(out, "#footnote(<folio-note-{number}>)");
            }
            Some(number) if self.notes.iter().any(|n| n.number == number) => self.note(number, out),
            _ => {
                let _ = write!(out, "#super{}", self.block(element));
            }
        }
    }

    /// Places note `number` as a footnote here, labelled so later references can point to it.
    fn note(&mut self, number: usize, out: &mut String) {
        self.placed.insert(number);
        let Some(note) = self.notes.iter().find(|n| n.number == number) else {
            return;
        };
        let text = self.convert(&note.html);
        let _ = write!(
            out,
            "#footnote(numbering: _ => \"{number}\")[{}] <folio-note-{number}>",
            text.trim()
        );
    }

    fn link(&mut self, element: ElementRef<'_>, out: &mut String) {
        let text = self.block(element);
        let href = element.value().attr("href").unwrap_or("");
        match self.absolute(href) {
            Some(target) => {
                let _ = write!(out, "#link({}){text}", string(&target));
            }
            None => out.push_str(&text[1..text.len() - 1]),
        }
    }

    /// A link's target as the PDF can open it: web and mail addresses as they are, addresses
    /// relative to the page made absolute; a link within the page (`#…`) has none.
    fn absolute(&self, href: &str) -> Option<String> {
        let lower = href.to_ascii_lowercase();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Some(href.to_string());
        }
        if lower.starts_with("mailto:") {
            return Some(href.to_string());
        }
        let joined = self.page.as_ref()?.join(href).ok()?;
        matches!(joined.scheme(), "http" | "https").then(|| joined.to_string())
    }

    fn code_block(&mut self, element: ElementRef<'_>, out: &mut String) {
        let code: String = element.text().collect();
        let language = element
            .descendants()
            .filter_map(ElementRef::wrap)
            .flat_map(|e| e.value().classes())
            .find_map(|class| class.strip_prefix("language-"))
            .unwrap_or("");
        let _ = write!(
            out,
            "\n\n#raw(block: true, lang: {}, {})\n\n",
            string(language),
            string(code.trim_end_matches('\n'))
        );
    }

    fn list(&mut self, element: ElementRef<'_>, out: &mut String) {
        let items: Vec<String> = element
            .children()
            .filter_map(ElementRef::wrap)
            .filter(|item| item.value().name() == "li")
            .map(|item| self.block(item))
            .collect();
        let ordered = element.value().name() == "ol";
        let start = element
            .value()
            .attr("start")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(1);
        let call = if ordered {
            format!("enum(start: {start}, ")
        } else {
            "list(".to_string()
        };
        let _ = write!(out, "\n\n#{call}{})\n\n", items.join(", "));
    }

    /// An image figure: numbered as on the page, its caption and its `Source:` credit below.
    fn figure(&mut self, element: ElementRef<'_>, out: &mut String) {
        let number = figure_number(element);
        let img = element
            .descendants()
            .filter_map(ElementRef::wrap)
            .find(|e| e.value().name() == "img");
        let body = match img {
            Some(img) => self.figure_image(img),
            None => String::from("[]"),
        };
        let caption = self.caption(element);
        let numbering = match number {
            Some(number) => format!("_ => \"{number}\""),
            None => "none".to_string(),
        };
        let _ = write!(
            out,
            "\n\n#figure({body}, kind: image, numbering: {numbering}, caption: {caption})\n\n"
        );
    }

    /// The image of a figure, at its natural size (a CSS pixel is 0.75 pt) but never wider
    /// than the text; one the PDF cannot hold (on another site) is shown by its description.
    fn figure_image(&mut self, img: ElementRef<'_>) -> String {
        let e = img.value();
        let src = e.attr("src").unwrap_or("");
        let alt = e.attr("alt").unwrap_or("");
        let Some(extension) = local_image(src) else {
            return format!("block(inset: 1em, stroke: 0.5pt)[{}]", escape(alt));
        };
        let path = format!("/_folio/figure-{}.{extension}", self.images.len() + 1);
        self.images.push(FigureImage {
            src: src.to_string(),
            path: path.clone(),
        });
        let width = e
            .attr("width")
            .and_then(|w| w.parse::<f64>().ok())
            .map_or("100%".to_string(), |w| format!("{:.1}pt", w * 0.75));
        format!(
            "layout(size => image({}, alt: {}, width: calc.min(size.width, {width})))",
            string(&path),
            string(alt)
        )
        .replace("calc.min(size.width, 100%)", "size.width")
    }

    /// A figure's caption: its title, and its credit on a line of its own.
    fn caption(&mut self, figure: ElementRef<'_>) -> String {
        let Some(figcaption) = figure
            .children()
            .filter_map(ElementRef::wrap)
            .find(|e| e.value().name() == "figcaption")
        else {
            return "none".to_string();
        };
        let mut title = String::new();
        let mut credit = String::new();
        for child in figcaption.children().filter_map(ElementRef::wrap) {
            let classes: Vec<&str> = child.value().classes().collect();
            if classes.contains(&"fig-label") {
                continue;
            }
            if classes.contains(&"credit") {
                credit = self.block(child);
            } else {
                self.element(child, &mut title);
            }
        }
        let mut caption = format!("[{}", title.trim());
        if credit.len() > 2 {
            let _ = write!(caption, " #linebreak() #text(size: 0.9em){credit}");
        }
        caption.push(']');
        caption
    }

    /// A table with a `Table:` caption: numbered as on the page, the caption above it and its
    /// credit below.
    fn table_figure(&mut self, element: ElementRef<'_>, out: &mut String) {
        let number = figure_number(element);
        let mut caption = String::from("[]");
        let mut table = String::from("[]");
        let mut credit = String::new();
        for child in element.children().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "figcaption" => {
                    let mut inner = String::new();
                    for part in child.children() {
                        match part.value() {
                            Node::Text(text) => inner.push_str(&escape(text)),
                            Node::Element(e) if e.classes().any(|c| c == "fig-label") => {}
                            Node::Element(_) => {
                                if let Some(part) = ElementRef::wrap(part) {
                                    self.element(part, &mut inner);
                                }
                            }
                            _ => {}
                        }
                    }
                    caption = format!("[{}]", inner.trim());
                }
                "table" => table = self.table(child),
                "p" => credit = self.block(child),
                _ => {}
            }
        }
        let numbering = match number {
            Some(number) => format!("_ => \"{number}\""),
            None => "none".to_string(),
        };
        let body = if credit.is_empty() {
            table
        } else {
            format!("[#{table} #align(left, text(size: 0.85em){credit})]")
        };
        let _ = write!(
            out,
            "\n\n#figure({body}, kind: table, numbering: {numbering}, caption: figure.caption(position: top, {caption}))\n\n"
        );
    }

    /// A table as `table(…)`: its header row repeated on each page, its columns aligned as on
    /// the page.
    fn table(&mut self, element: ElementRef<'_>) -> String {
        let mut header: Vec<String> = Vec::new();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut align: Vec<&'static str> = Vec::new();
        for row in element
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "tr")
        {
            let cells: Vec<ElementRef<'_>> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .collect();
            if align.is_empty() {
                align = cells.iter().map(|c| cell_alignment(*c)).collect();
            }
            let in_head = row
                .parent()
                .and_then(ElementRef::wrap)
                .is_some_and(|p| p.value().name() == "thead");
            let converted: Vec<String> = cells.into_iter().map(|c| self.block(c)).collect();
            if in_head && header.is_empty() {
                header = converted;
            } else {
                rows.push(converted);
            }
        }
        let columns = rows
            .iter()
            .map(Vec::len)
            .chain([header.len()])
            .max()
            .unwrap_or(1)
            .max(1);
        align.resize(columns, "left");
        let pad = |mut cells: Vec<String>| {
            cells.resize(columns, "[]".to_string());
            cells.join(", ")
        };
        let mut table = format!("table(columns: {columns}, align: ({},)", align.join(", "));
        if !header.is_empty() {
            let _ = write!(table, ", table.header({})", pad(header));
        }
        for row in rows {
            let _ = write!(table, ", {}", pad(row));
        }
        table.push(')');
        table
    }
}

/// The number the page gives a figure or table: from its `fig-label` ("Figure 2.").
fn figure_number(figure: ElementRef<'_>) -> Option<usize> {
    let label = figure
        .descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().classes().any(|c| c == "fig-label"))?;
    let text: String = label.text().collect();
    text.split(|c: char| !c.is_ascii_digit())
        .find(|part| !part.is_empty())?
        .parse()
        .ok()
}

/// A table cell's alignment, from the `style` pulldown-cmark gives it.
fn cell_alignment(cell: ElementRef<'_>) -> &'static str {
    let style = cell.value().attr("style").unwrap_or("");
    if style.contains("right") {
        "right"
    } else if style.contains("center") {
        "center"
    } else {
        "left"
    }
}

/// The extension of an image beside the brief that Typst can place, if `src` is one: a
/// relative path, without `..`, of a kind Typst reads.
fn local_image(src: &str) -> Option<&'static str> {
    let relative = !src.is_empty()
        && !src.contains(':')
        && !src.starts_with('/')
        && !src.split('/').any(|part| part == ".." || part.is_empty());
    if !relative {
        return None;
    }
    let extension = src.rsplit('.').next()?.to_ascii_lowercase();
    ["svg", "png", "jpg", "jpeg", "gif", "webp"]
        .into_iter()
        .find(|known| *known == extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_punctuation_mark_is_escaped_and_letters_are_not() {
        assert_eq!(escape("#import \"x\""), "\\#import \\\"x\\\"");
        assert_eq!(
            escape("a*b_c $x$ @key <l>"),
            "a\\*b\\_c \\$x\\$ \\@key \\<l\\>"
        );
        assert_eq!(escape("\\u{41}"), "\\\\u\\{41\\}");
        assert_eq!(escape("مرحبا 😀"), "مرحبا 😀");
        assert_eq!(escape("a\nb"), "a b");
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(string("a\"b\\c\n\u{7}"), "\"a\\\"b\\\\c\\n\\u{7}\"");
    }

    #[test]
    fn notes_keep_the_page_numbers_and_later_references_point_back() {
        let notes = vec![Footnote {
            number: 3,
            label: "x".into(),
            id: "b-fn-3".into(),
            html: "A <em>note</em>.".into(),
            backrefs: Vec::new(),
        }];
        let mut converter = Converter::new(&notes, "https://example.org/briefs/b/");
        let sup = r##"<sup class="fn-ref"><a href="#b-fn-3">3</a></sup>"##;
        let markup = converter.convert(&format!("<p>One{sup} two{sup}</p>"));
        assert!(
            markup.contains("#footnote(numbering: _ => \"3\")[A #emph[note]\\.] <folio-note-3>")
        );
        assert!(markup.contains("two#footnote(<folio-note-3>)"));
    }

    #[test]
    fn relative_links_are_made_absolute_and_in_page_links_dropped() {
        let mut converter = Converter::new(&[], "https://example.org/briefs/b/");
        let markup = converter.convert(r##"<a href="../c/">C</a> <a href="#x">X</a>"##);
        assert_eq!(markup, "#link(\"https://example.org/briefs/c/\")[C] X");
    }
}
