//! Fuzzes the Markdown stage: footnotes, figures, sources, headings, highlighted code, and
//! the sanitiser after it.
#![no_main]

use folio::markdown::sanitize::sanitize_rendered;
use folio::markdown::{MarkdownInput, render_markdown};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for root_path in ["", "/think"] {
        let input = MarkdownInput {
            text,
            first_line: 7,
            path: Path::new("content/briefs/fuzzed.md"),
            id_prefix: "fuzzed-",
            root_path,
        };
        let (mut rendered, problems) = render_markdown(&input);
        for problem in problems {
            let _ = problem.to_string();
        }
        // `[markdown] sanitize = true`, with and without trusted embeds.
        let origins = if root_path.is_empty() {
            Vec::new()
        } else {
            vec!["https://datawrapper.dwcdn.net".to_string()]
        };
        sanitize_rendered(&mut rendered, &origins);
    }
});
