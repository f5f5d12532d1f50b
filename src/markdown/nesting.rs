//! A bound on how deeply a text nests (quotes in lists in quotes…, and raw HTML elements): no
//! real brief nests past a few levels, while the sanitiser's HTML parser takes time quadratic
//! in the depth, so a text past the bound is an error before anything else is done with it.

use super::{MarkdownInput, Spanned};
use crate::diagnostics::Diagnostic;
use pulldown_cmark::Event;

/// The deepest nesting a text may have: far past any brief, far below where parsing slows.
pub const MAX_DEPTH: usize = 100;

/// HTML elements that never have a closing tag, so never nest.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The error for a text nested deeper than `MAX_DEPTH`, at the place it gets there.
pub(super) fn too_deep(input: &MarkdownInput<'_>, events: &[Spanned<'_>]) -> Option<Diagnostic> {
    let mut depth: isize = 0;
    for (event, range) in events {
        let deepest = match event {
            Event::Start(_) => {
                depth += 1;
                depth
            }
            Event::End(_) => {
                depth -= 1;
                depth
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let (deepest, after) = html_depths(html, depth);
                depth = after;
                deepest
            }
            _ => depth,
        };
        if deepest > MAX_DEPTH as isize {
            let error = Diagnostic::error(
                input.path,
                format!("the text nests more than {MAX_DEPTH} levels deep here"),
            )
            .help("quotes, lists and HTML elements inside each other: flatten the structure");
            return Some(input.place(error, range.start));
        }
    }
    None
}

/// The deepest point raw HTML reaches from `depth`, and the depth after it: +1 for each
/// opening tag of an element that is neither void nor self-closed, -1 for each closing tag.
fn html_depths(html: &str, depth: isize) -> (isize, isize) {
    let mut current = depth;
    let mut deepest = depth;
    let bytes = html.as_bytes();
    for (at, _) in html.match_indices('<') {
        let rest = &bytes[at + 1..];
        if rest.first() == Some(&b'/') {
            current -= 1;
            continue;
        }
        let name: String = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|&b| char::from(b).to_ascii_lowercase())
            .collect();
        let self_closed = || {
            html[at..]
                .find('>')
                .is_some_and(|end| html[at..at + end].ends_with('/'))
        };
        if name.is_empty() || VOID_ELEMENTS.contains(&name.as_str()) || self_closed() {
            continue;
        }
        current += 1;
        deepest = deepest.max(current);
    }
    (deepest, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_nests_by_its_elements_not_its_void_or_self_closed_ones() {
        assert_eq!(
            html_depths("<div><p>a<br>b<img src=x></p></div>", 0),
            (2, 0)
        );
        assert_eq!(html_depths("<div><span/><div>", 3), (5, 5));
        assert_eq!(html_depths("a < b and <!-- c -->", 0), (0, 0));
    }
}
