//! The style "Cite this brief" is formatted with: a CSL style trimmed to its reference list,
//! with the tests whose answer is the same for every brief decided in advance.
//!
//! Chicago's reference list asks an item's type at nearly every turn (`<if type="book">`, …)
//! and whether it has this or that variable (`<if variable="container-title">`), and
//! hayagriva answers each time by building and matching selectors: most of the cost of
//! formatting a brief's reference in a cold build. A brief is always a report, and never has
//! an editor, a volume or a container: those tests are answered once per style, as hayagriva
//! itself answers them (asked with a probe style), and removed. No output changes: the other
//! tests stay, in their order, and the decided ones read nothing but the entry. The macros
//! then left uncalled are dropped, and the rest ordered by how often they are called.

use super::{BriefEntry, locales};
use hayagriva::citationberg::taxonomy::{Kind, StandardVariable, Variable};
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, IndependentStyle, LayoutRenderingElement, NamesChild,
    SortKey, TextTarget,
};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest};
use std::collections::HashMap;

/// `style` as "Cite this brief" needs it. Its citation layout is emptied when it has a
/// reference list: hayagriva renders the citation before the reference, and in a notes style
/// such as Chicago that is much of the work, while a single entry has nothing to disambiguate,
/// so the reference reads the same. The tests every brief answers alike are decided.
pub(crate) fn reference_list(style: &IndependentStyle) -> IndependentStyle {
    let mut style = trimmed(style);
    let mut tested = Tested::default();
    each_choose(&mut style, &mut |choose| tested.add(choose));
    if let Some(known) = tested.answered(&style) {
        each_choose(&mut style, &mut |choose| decide(choose, &known));
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
    let mut on_choose = |element: &mut LayoutRenderingElement| {
        if let LayoutRenderingElement::Choose(choose) = element {
            f(choose);
        }
    };
    each_element(&mut style.citation.layout.elements, &mut on_choose);
    if let Some(bibliography) = &mut style.bibliography {
        each_element(&mut bibliography.layout.elements, &mut on_choose);
    }
    for csl_macro in &mut style.macros {
        each_element(&mut csl_macro.children, &mut on_choose);
    }
}

/// Calls `f` on each of `elements` and on everything inside them, each element before what
/// it holds (as `f` has left it).
fn each_element(
    elements: &mut [LayoutRenderingElement],
    f: &mut impl FnMut(&mut LayoutRenderingElement),
) {
    for element in elements {
        f(element);
        match element {
            LayoutRenderingElement::Group(group) => each_element(&mut group.children, f),
            LayoutRenderingElement::Names(names) => {
                for child in &mut names.children {
                    if let NamesChild::Substitute(substitute) = child {
                        each_element(&mut substitute.children, f);
                    }
                }
            }
            LayoutRenderingElement::Choose(choose) => {
                each_element(&mut choose.if_.children, f);
                for branch in &mut choose.else_if {
                    each_element(&mut branch.children, f);
                }
                if let Some(otherwise) = &mut choose.otherwise {
                    each_element(&mut otherwise.children, f);
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
    calls_in(&mut style.citation.layout.elements, &mut queue);
    if let Some(bibliography) = &mut style.bibliography {
        calls_in(&mut bibliography.layout.elements, &mut queue);
    }
    let bibliography_sort = style.bibliography.as_ref().and_then(|b| b.sort.as_ref());
    let sorts = style.citation.sort.iter().chain(bibliography_sort);
    for key in sorts.flat_map(|sort| &sort.keys) {
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
            && let Some(called) = style.macros.iter_mut().find(|m| m.name == name)
        {
            calls_in(&mut called.children, &mut queue);
        }
    }
    style.macros.retain(|m| calls.contains_key(&m.name));
    style
        .macros
        .sort_by_key(|m| std::cmp::Reverse(calls.get(&m.name).copied()));
}

/// The names of the macros `elements` call, once per call.
fn calls_in(elements: &mut [LayoutRenderingElement], calls: &mut Vec<String>) {
    each_element(elements, &mut |element| {
        if let LayoutRenderingElement::Text(text) = element
            && let TextTarget::Macro { name } = &text.target
        {
            calls.push(name.clone());
        }
    });
}

/// Asking for the citation label records that it was asked (outside a reference list), so a
/// test of it is never decided in advance.
const CITATION_LABEL: Variable = Variable::Standard(StandardVariable::CitationLabel);

/// The types and variables a style's tests ask about.
#[derive(Default)]
struct Tested {
    kinds: Vec<Kind>,
    variables: Vec<Variable>,
}

impl Tested {
    fn add(&mut self, choose: &mut Choose) {
        for branch in choose.branches() {
            for kind in branch.type_.iter().flatten() {
                if !self.kinds.contains(kind) {
                    self.kinds.push(*kind);
                }
            }
            let dates = branch.is_uncertain_date.iter().flatten().map(|&d| d.into());
            let variables = branch.variable.iter().chain(&branch.is_numeric).flatten();
            for variable in variables.copied().chain(dates) {
                if variable != CITATION_LABEL && !self.variables.contains(&variable) {
                    self.variables.push(variable);
                }
            }
        }
    }

    /// How hayagriva answers these tests for a brief, asked of hayagriva itself (its mapping
    /// from its entry types to CSL's is private): a reference list of one test each, rendered
    /// for the fullest entry a brief can make. None when the probe cannot be read.
    fn answered(&self, style: &IndependentStyle) -> Option<Known> {
        let mut tests = Vec::new();
        for kind in &self.kinds {
            tests.push(format!("type=\"{}\"", csl_name(kind)?));
        }
        for variable in &self.variables {
            tests.push(format!("variable=\"{}\"", csl_name(variable)?));
        }
        let held = probe(style, &tests)?;
        let (kinds, variables) = held.split_at(self.kinds.len());
        Some(Known {
            kinds: self
                .kinds
                .iter()
                .copied()
                .zip(kinds.iter().copied())
                .collect(),
            absent: self
                .variables
                .iter()
                .zip(variables)
                .filter(|(_, held)| !**held)
                .map(|(variable, _)| *variable)
                .collect(),
        })
    }
}

/// The answers every brief gives: whether it is of each kind asked about, and the variables
/// even the fullest brief lacks (a test of them fails, and so does `is-numeric`, and
/// `is-uncertain-date` of a date it lacks).
struct Known {
    kinds: Vec<(Kind, bool)>,
    absent: Vec<Variable>,
}

impl Known {
    fn kind(&self, kind: &Kind) -> Option<bool> {
        self.kinds
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, is)| *is)
    }

    fn variable(&self, variable: impl Into<Variable>) -> Option<bool> {
        self.absent.contains(&variable.into()).then_some(false)
    }
}

/// A CSL attribute value as a style writes it: `article-journal`, `container-title`.
fn csl_name(value: &impl serde::Serialize) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(name) => Some(name),
        _ => None,
    }
}

/// Which of `tests` (attributes of `cs:if`) hold for the fullest brief, rendered by hayagriva
/// in a reference list of one `cs:choose` per test.
fn probe(style: &IndependentStyle, tests: &[String]) -> Option<Vec<bool>> {
    if tests.is_empty() {
        return Some(Vec::new());
    }
    let mut chooses = String::new();
    for (i, test) in tests.iter().enumerate() {
        chooses.push_str(&format!(
            r#"<choose><if {test}><text value="{i}"/></if></choose>"#
        ));
    }
    let probe = IndependentStyle::from_xml(&format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Probe</title><id>probe</id><updated>2026-01-01T00:00:00+00:00</updated></info>
<citation><layout><text value="probe"/></layout></citation>
<bibliography><layout><group delimiter=" "><text value="probe"/>{chooses}</group></layout></bibliography>
</style>"#
    ))
    .ok()?;
    // The probe prints no term, so the locales are those of any language.
    let locales = locales("en", &probe);
    let entry = BriefEntry::fullest();
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
    let mut held = vec![false; tests.len()];
    for word in words {
        *held.get_mut(word.parse::<usize>().ok()?)? = true;
    }
    Some(held)
}

/// How a branch reads once the tests known in advance are answered.
enum Decided {
    /// Always taken: the branches after it are never reached.
    Always,
    /// Never taken.
    Never,
    /// Still decided by its other tests.
    Open,
}

/// Answers the known tests of `choose`'s branches, drops the branches that can never be
/// taken and everything after one that always is.
fn decide(choose: &mut Choose, known: &Known) {
    let branches = std::iter::once(choose.if_.clone()).chain(choose.else_if.drain(..));
    let mut kept = Vec::new();
    for mut branch in branches {
        match decide_branch(&mut branch, known) {
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

fn decide_branch(branch: &mut ChooseBranch, known: &Known) -> Decided {
    // A branch that asks for the citation label is asked whole, so the tests before it are
    // too (`CITATION_LABEL`).
    let mut variables = branch.variable.iter().chain(&branch.is_numeric).flatten();
    if variables.any(|v| *v == CITATION_LABEL) {
        return Decided::Open;
    }
    // Each listed type or variable is a test of its own. The known ones are taken out, their
    // answers kept; the others stay and are asked as before.
    let mut answers = Vec::new();
    let mut answer = |known: Option<bool>| {
        answers.extend(known);
        known.is_none()
    };
    branch.type_ = keep(branch.type_.take(), |kind| answer(known.kind(kind)));
    branch.variable = keep(branch.variable.take(), |v| answer(known.variable(*v)));
    branch.is_numeric = keep(branch.is_numeric.take(), |v| answer(known.variable(*v)));
    branch.is_uncertain_date = keep(branch.is_uncertain_date.take(), |d| {
        answer(known.variable(*d))
    });
    let decided = match branch.match_ {
        ChooseMatch::All if answers.contains(&false) => Some(false),
        ChooseMatch::Any if answers.contains(&true) => Some(true),
        ChooseMatch::None if answers.contains(&true) => Some(false),
        // The known answers were all true (`all`) or all false (`any`, `none`): taking them
        // out changes nothing. A branch left with no tests is decided as hayagriva decides
        // one: `all` and `none` of nothing hold, `any` of nothing does not.
        _ => (!has_tests(branch)).then(|| branch.match_.test(std::iter::empty())),
    };
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

/// The tests of `tests` for which `unknown` holds (None when none is left).
fn keep<T>(tests: Option<Vec<T>>, unknown: impl FnMut(&T) -> bool) -> Option<Vec<T>> {
    let mut tests = tests?;
    tests.retain(unknown);
    (!tests.is_empty()).then_some(tests)
}

/// Whether the branch still asks anything (hayagriva's order of tests).
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

    fn variable_tests(style: &mut IndependentStyle) -> usize {
        let mut count = 0;
        each_choose(style, &mut |choose| {
            count += choose
                .branches()
                .filter_map(|b| b.variable.as_ref())
                .map(Vec::len)
                .sum::<usize>();
        });
        count
    }

    #[test]
    fn a_brief_is_a_report_with_no_editor_or_container() {
        let tested = Tested {
            kinds: vec![
                Kind::Report,
                Kind::Book,
                Kind::ArticleJournal,
                Kind::Webpage,
            ],
            variables: [
                "title",
                "author",
                "editor",
                "container-title",
                "DOI",
                "volume",
            ]
            .iter()
            .map(|name| serde_json::from_value(name.to_string().into()).unwrap())
            .collect(),
        };
        let known = tested.answered(&chicago()).unwrap();
        assert_eq!(known.kind(&Kind::Report), Some(true));
        assert_eq!(known.kind(&Kind::Book), Some(false));
        assert_eq!(known.kind(&Kind::ArticleJournal), Some(false));
        let absent: Vec<String> = known.absent.iter().map(|v| csl_name(v).unwrap()).collect();
        assert_eq!(absent, ["editor", "container-title", "volume"]);
    }

    #[test]
    fn chicago_keeps_no_type_test_and_only_the_macros_a_report_calls() {
        let mut whole = trimmed(&chicago());
        let mut decided = reference_list(&chicago());
        assert!(type_tests(&mut whole) > 50, "{}", type_tests(&mut whole));
        assert_eq!(type_tests(&mut decided), 0);
        let (asked, still) = (variable_tests(&mut whole), variable_tests(&mut decided));
        assert!(still < asked / 2, "{asked} variable tests, then {still}");
        let (before, after) = (whole.macros.len(), decided.macros.len());
        assert!(after < before, "{before} macros, then {after}");
        let mut called = Vec::new();
        calls_in(
            &mut decided.bibliography.as_mut().unwrap().layout.elements,
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
