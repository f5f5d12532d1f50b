//! Examples read from a file in the CommonMark spec's format: Markdown in, expected HTML out,
//! each under the section heading it sits in.

/// One example: its number in the file, its section, the Markdown and the expected HTML.
#[derive(Debug)]
pub struct Example {
    pub number: usize,
    pub section: String,
    pub markdown: String,
    pub html: String,
}

/// The line that opens an example: 32 backticks and `example`.
fn is_opening(line: &str) -> bool {
    line.strip_suffix(" example")
        .is_some_and(|fence| fence.len() == 32 && fence.chars().all(|c| c == '`'))
}

fn is_closing(line: &str) -> bool {
    line.len() == 32 && line.chars().all(|c| c == '`')
}

/// Where the reader is in the file.
enum State {
    Prose,
    Markdown,
    Html,
}

/// Every example of a spec-format file, numbered from 1, as the spec's `spec_tests.py` reads
/// them: `→` stands for a tab, and a section is the last heading outside an example.
pub fn parse(text: &str) -> Vec<Example> {
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut state = State::Prose;
    let (mut markdown, mut html) = (String::new(), String::new());
    for line in text.split_inclusive('\n') {
        let bare = line.trim();
        match state {
            State::Prose if is_opening(bare) => state = State::Markdown,
            State::Prose if bare == "<!-- END TESTS -->" => break,
            State::Prose => {
                if let Some(heading) = section_heading(line) {
                    section = heading;
                }
            }
            State::Markdown if bare == "." => state = State::Html,
            State::Markdown => markdown.push_str(&line.replace('→', "\t")),
            State::Html if is_closing(bare) => {
                examples.push(Example {
                    number: examples.len() + 1,
                    section: section.clone(),
                    markdown: std::mem::take(&mut markdown),
                    html: std::mem::take(&mut html),
                });
                state = State::Prose;
            }
            State::Html => html.push_str(&line.replace('→', "\t")),
        }
    }
    examples
}

/// The text of an ATX heading line (`## Tabs`), if `line` is one.
fn section_heading(line: &str) -> Option<String> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let rest = &line[hashes..];
    (hashes > 0 && rest.starts_with(' ')).then(|| rest.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_examples_with_their_sections_and_tabs() {
        let fence = "`".repeat(32);
        let text = format!(
            "# Intro\n\n## Tabs\n\n{fence} example\n→foo\n.\n<pre><code>foo\n</code></pre>\n\
             {fence}\n\n## Lists\n\n{fence} example\n- a\n.\n<ul>\n<li>a</li>\n</ul>\n{fence}\n"
        );
        let examples = parse(&text);
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].section, "Tabs");
        assert_eq!(examples[0].markdown, "\tfoo\n");
        assert_eq!(examples[1].number, 2);
        assert_eq!(examples[1].section, "Lists");
        assert_eq!(examples[1].html, "<ul>\n<li>a</li>\n</ul>\n");
    }
}
