//! The style "Cite this brief" is formatted with: a CSL style trimmed to its reference list,
//! with every test of an item's type decided in advance for a report, the type a brief is.
//!
//! Chicago's reference list asks an item's type at nearly every turn (`<if type="book">`, …),
//! and hayagriva answers each time by building and matching selectors: most of the cost of
//! formatting a brief's reference in a cold build. Deciding those tests once per style, the
//! way hayagriva itself decides them, removes that work and changes no output: the other
//! tests stay, in their order, and type tests read nothing but the item's type. The macros
//! then left uncalled are dropped, and the rest ordered by how often they are called.

use super::locales;
use hayagriva::citationberg::taxonomy::Kind;
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, IndependentStyle, LayoutRenderingElement, NamesChild,
    SortKey, TextTarget,
};
use hayagriva::types::EntryType;
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry};
use std::collections::HashMap;

/// The type every brief is cited as (hayagriva's; CSL's `report`).
pub(crate) const BRIEF_ENTRY_TYPE: EntryType = EntryType::Report;

/// `style` as "Cite this brief" needs it. Its citation layout is emptied when it has a
/// reference list: hayagriva renders the citation before the reference, and in a notes style
/// such as Chicago that is much of the work, while a single entry has nothing to disambiguate,
/// so the reference reads the same. Its type tests are decided for a report.
pub(crate) fn reference_list(style: &IndependentStyle) -> IndependentStyle {
    let mut style = trimmed(style);
    let mut tested = Vec::new();
    each_choose(&mut style, &mut |choose| {
        for kind in choose.branches().flat_map(|b| b.type_.iter().flatten()) {
            if !tested.contains(kind) {
                tested.push(*kind);
            }
        }
    });
    if let Some(is_report) = kinds_of_a_brief(&style, &tested) {
        let is_report = |kind: Kind| is_report.contains(&kind);
        each_choose(&mut style, &mut |choose| decide(choose, &is_report));
        order_macros(&mut style);
    }
    style
}

/// `style` with its citation layout emptied when it has a reference list.
pub(crate) fn trimmed(style: &IndependentStyle) -> IndependentStyle {
    let mut style = style.clone();
    if style.bibliography.is_some() {
        style.citation.layout.elements.clear();
        style.citation.sort = None;
    }
    style
}

/// Calls `f` on every `cs:choose` of the style's layouts and macros, outermost first (so the
/// branches `f` removes are not visited).
fn each_choose(style: &mut IndependentStyle, f: &mut impl FnMut(&mut Choose)) {
    each_choose_in(&mut style.citation.layout.elements, f);
    if let Some(bibliography) = &mut style.bibliography {
        each_choose_in(&mut bibliography.layout.elements, f);
    }
    for csl_macro in &mut style.macros {
        each_choose_in(&mut csl_macro.children, f);
    }
}

fn each_choose_in(elements: &mut [LayoutRenderingElement], f: &mut impl FnMut(&mut Choose)) {
    for element in elements {
        match element {
            LayoutRenderingElement::Group(group) => each_choose_in(&mut group.children, f),
            LayoutRenderingElement::Names(names) => {
                for child in &mut names.children {
                    if let NamesChild::Substitute(substitute) = child {
                        each_choose_in(&mut substitute.children, f);
                    }
                }
            }
            LayoutRenderingElement::Choose(choose) => {
                f(choose);
                each_choose_in(&mut choose.if_.children, f);
                for branch in &mut choose.else_if {
                    each_choose_in(&mut branch.children, f);
                }
                if let Some(otherwise) = &mut choose.otherwise {
                    each_choose_in(&mut otherwise.children, f);
                }
            }
            LayoutRenderingElement::Text(_)
            | LayoutRenderingElement::Date(_)
            | LayoutRenderingElement::Number(_)
            | LayoutRenderingElement::Label(_) => {}
        }
    }
}

/// Drops the macros that nothing calls once the type tests are decided, and puts the most
/// called first: hayagriva finds a macro by comparing its name with each macro's in turn, on
/// every call.
fn order_macros(style: &mut IndependentStyle) {
    let mut queue = Vec::new();
    calls_in(&style.citation.layout.elements, &mut queue);
    let mut sorts = vec![&style.citation.sort];
    if let Some(bibliography) = &style.bibliography {
        calls_in(&bibliography.layout.elements, &mut queue);
        sorts.push(&bibliography.sort);
    }
    for key in sorts.into_iter().flatten().flat_map(|sort| &sort.keys) {
        if let SortKey::MacroName { name, .. } = key {
            queue.push(name.clone());
        }
    }
    // Call sites, counted in the layouts and in every macro they reach.
    let mut calls: HashMap<String, usize> = HashMap::new();
    while let Some(name) = queue.pop() {
        let count = calls.entry(name.clone()).or_default();
        *count += 1;
        if *count == 1
            && let Some(called) = style.macros.iter().find(|m| m.name == name)
        {
            calls_in(&called.children, &mut queue);
        }
    }
    style.macros.retain(|m| calls.contains_key(&m.name));
    style
        .macros
        .sort_by_key(|m| std::cmp::Reverse(calls.get(&m.name).copied()));
}

/// The names of the macros `elements` call, once per call.
fn calls_in(elements: &[LayoutRenderingElement], calls: &mut Vec<String>) {
    for element in elements {
        match element {
            LayoutRenderingElement::Text(text) => {
                if let TextTarget::Macro { name } = &text.target {
                    calls.push(name.clone());
                }
            }
            LayoutRenderingElement::Group(group) => calls_in(&group.children, calls),
            LayoutRenderingElement::Names(names) => {
                for child in &names.children {
                    if let NamesChild::Substitute(substitute) = child {
                        calls_in(&substitute.children, calls);
                    }
                }
            }
            LayoutRenderingElement::Choose(choose) => {
                for branch in choose.branches() {
                    calls_in(&branch.children, calls);
                }
                if let Some(otherwise) = &choose.otherwise {
                    calls_in(&otherwise.children, calls);
                }
            }
            LayoutRenderingElement::Date(_)
            | LayoutRenderingElement::Number(_)
            | LayoutRenderingElement::Label(_) => {}
        }
    }
}

/// Which of `kinds` hayagriva counts a brief's entry as, asked of hayagriva itself (its
/// mapping from its entry types to CSL's is private): a reference list of one test per kind,
/// rendered for an entry of the brief's type. None when the probe cannot be read.
fn kinds_of_a_brief(style: &IndependentStyle, kinds: &[Kind]) -> Option<Vec<Kind>> {
    if kinds.is_empty() {
        return Some(Vec::new());
    }
    let mut tests = String::new();
    for (i, kind) in kinds.iter().enumerate() {
        let serde_json::Value::String(name) = serde_json::to_value(kind).ok()? else {
            return None;
        };
        tests.push_str(&format!(
            r#"<choose><if type="{name}"><text value="{i}"/></if></choose>"#
        ));
    }
    let probe = IndependentStyle::from_xml(&format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Probe</title><id>probe</id><updated>2026-01-01T00:00:00+00:00</updated></info>
<citation><layout><text value="probe"/></layout></citation>
<bibliography><layout><group delimiter=" "><text value="probe"/>{tests}</group></layout></bibliography>
</style>"#
    ))
    .ok()?;
    // The probe prints no term, so the locales are those of any language.
    let locales = locales("en", &probe);
    let entry = Entry::new("probe", BRIEF_ENTRY_TYPE);
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::from_items(
        vec![CitationItem::with_entry(&entry)],
        &probe,
        locales,
    ));
    let locale = style.default_locale.clone();
    let rendered = driver.finish(BibliographyRequest::new(&probe, locale, locales));
    let item = rendered.bibliography?.items.into_iter().next()?;
    let mut text = String::new();
    item.content
        .write_buf(&mut text, hayagriva::BufWriteFormat::Plain)
        .ok()?;
    let mut words = text.split(' ');
    (words.next()? == "probe").then_some(())?;
    words
        .map(|word| {
            word.parse::<usize>()
                .ok()
                .and_then(|i| kinds.get(i).copied())
        })
        .collect()
}

/// How a branch reads once its type tests are answered.
enum Decided {
    /// Always taken: the branches after it are never reached.
    Always,
    /// Never taken.
    Never,
    /// Still decided by its other tests.
    Open,
}

/// Answers the type tests of `choose`'s branches, drops the branches that can never be taken
/// and everything after one that always is.
fn decide(choose: &mut Choose, is_report: &impl Fn(Kind) -> bool) {
    let branches = std::iter::once(choose.if_.clone()).chain(choose.else_if.drain(..));
    let mut kept = Vec::new();
    for mut branch in branches {
        match decide_branch(&mut branch, is_report) {
            Decided::Never => {}
            Decided::Open => kept.push(branch),
            Decided::Always => {
                kept.push(branch);
                choose.otherwise = None;
                break;
            }
        }
    }
    let mut kept = kept.into_iter();
    choose.if_ = kept.next().unwrap_or_else(never_taken);
    choose.else_if = kept.collect();
}

fn decide_branch(branch: &mut ChooseBranch, is_report: &impl Fn(Kind) -> bool) -> Decided {
    let Some(kinds) = branch.type_.take() else {
        return Decided::Open;
    };
    let matched = |kind: &Kind| is_report(*kind);
    // Each listed type is a test of its own; the other tests stay and are asked as before.
    let decided = match branch.match_ {
        ChooseMatch::All if !kinds.iter().all(matched) => Some(false),
        ChooseMatch::Any if kinds.iter().any(matched) => Some(true),
        ChooseMatch::None if kinds.iter().any(matched) => Some(false),
        _ => None,
    };
    // A branch left with no tests is decided as hayagriva decides one: `all` and `none` of
    // nothing hold, `any` of nothing does not.
    let decided =
        decided.or_else(|| (!has_tests(branch)).then(|| branch.match_.test(std::iter::empty())));
    match decided {
        Some(true) => {
            *branch = ChooseBranch {
                match_: ChooseMatch::All,
                children: std::mem::take(&mut branch.children),
                ..never_taken()
            };
            Decided::Always
        }
        Some(false) => Decided::Never,
        None => Decided::Open,
    }
}

/// Whether the branch asks anything but the item's type (hayagriva's order of tests).
fn has_tests(branch: &ChooseBranch) -> bool {
    let some = |list: Option<usize>| list.is_some_and(|n| n > 0);
    branch.disambiguate.is_some()
        || some(branch.is_numeric.as_ref().map(Vec::len))
        || some(branch.is_uncertain_date.as_ref().map(Vec::len))
        || some(branch.locator.as_ref().map(Vec::len))
        || some(branch.position.as_ref().map(Vec::len))
        || some(branch.type_.as_ref().map(Vec::len))
        || some(branch.variable.as_ref().map(Vec::len))
}

/// A branch with no tests that matches when any of them does: never.
fn never_taken() -> ChooseBranch {
    ChooseBranch {
        disambiguate: None,
        is_numeric: None,
        is_uncertain_date: None,
        locator: None,
        position: None,
        type_: None,
        variable: None,
        match_: ChooseMatch::Any,
        children: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayagriva::archive::ArchivedStyle;
    use hayagriva::citationberg::Style;

    fn chicago() -> IndependentStyle {
        let Style::Independent(style) = ArchivedStyle::by_name("chicago-notes").unwrap().get()
        else {
            panic!("chicago-notes is an independent style");
        };
        style
    }

    fn type_tests(style: &mut IndependentStyle) -> usize {
        let mut count = 0;
        each_choose(style, &mut |choose| {
            count += choose.branches().filter(|b| b.type_.is_some()).count();
        });
        count
    }

    #[test]
    fn a_brief_is_a_report_and_nothing_else_that_chicago_asks_about() {
        let style = chicago();
        let kinds = [
            Kind::Report,
            Kind::Book,
            Kind::ArticleJournal,
            Kind::Webpage,
        ];
        assert_eq!(kinds_of_a_brief(&style, &kinds), Some(vec![Kind::Report]));
    }

    #[test]
    fn chicago_keeps_no_type_test_and_only_the_macros_a_report_calls() {
        let mut whole = trimmed(&chicago());
        let mut decided = reference_list(&chicago());
        assert!(type_tests(&mut whole) > 50, "{}", type_tests(&mut whole));
        assert_eq!(type_tests(&mut decided), 0);
        let (before, after) = (whole.macros.len(), decided.macros.len());
        assert!(after < before, "{before} macros, then {after}");
        let mut called = Vec::new();
        calls_in(
            &decided.bibliography.as_ref().unwrap().layout.elements,
            &mut called,
        );
        for name in called {
            assert!(
                decided.macros.iter().any(|m| m.name == name),
                "{name} dropped"
            );
        }
    }
}
