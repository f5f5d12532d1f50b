// The search page: queries folio's own index (search/index/, written by `folio build`; format
// in docs/SEARCH.md), loading only the chunks a query's words need. Without JavaScript the page
// keeps its links to every topic and author. With it: results as you type, filters with counts,
// sort, "did you mean", and the address (?q=…&topic=…) in step with the form, so back, forward
// and shared links work. Index text is put in the page as text nodes, never as markup.
const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const suggestion = document.getElementById("search-suggestion");
const list = document.getElementById("search-results");
const moreWrap = document.getElementById("search-more-wrap");
const more = document.getElementById("search-more");
const browse = document.getElementById("search-browse");
const FILTERS = ["topic", "author", "year", "type"];
const PAGE = 10;
const EXCERPT_WORDS = 26;
// Added to the score of a brief whose title has every word of a query of two or more.
const TITLED = 1e9;
const base = new URL(form.dataset.index, location.href);
const root = form.dataset.root || "";

document.getElementById("search-nojs").hidden = true;
for (const name of FILTERS) {
  for (const option of form.elements[name].options) option.value = option.value;
}

const fetched = new Map();
function load(name) {
  if (!fetched.has(name)) {
    const url = new URL(name, base);
    fetched.set(name, fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(url)))));
  }
  return fetched.get(name);
}
const manifest = () => load("manifest.json");

function fold(word) {
  return word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
function words(text) {
  return [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
}

// The query's terms: each folded word, and whether it is the last one still being typed.
function terms(q) {
  const found = words(q).map(fold);
  const typing = found.length > 0 && !/\s$/.test(q);
  return found.map((word, i) => ({ word, prefix: typing && i === found.length - 1 }));
}

// The file of a chunk list (`[[first key, file], …]`, sorted) whose keys include `key`.
function chunkAt(chunks, key) {
  let [low, high] = [0, chunks.length - 1];
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (chunks[mid][0] <= key) low = mid;
    else high = mid - 1;
  }
  return chunks[low]?.[1];
}

// The files of the chunks that may hold words starting with `prefix`.
function chunksFrom(chunks, prefix) {
  const first = chunkAt(chunks, prefix);
  const at = chunks.findIndex((c) => c[1] === first);
  const names = [first];
  for (let i = at + 1; i < chunks.length && chunks[i][0].startsWith(prefix); i++) names.push(chunks[i][1]);
  return names.filter(Boolean);
}

// Vocabulary loaded so far (word → stem, "" when the word is its own), for marking excerpts.
const loadedVocabulary = {};
async function vocabulary(word, prefix) {
  const m = await manifest();
  const names = prefix ? chunksFrom(m.vocabulary, word) : [chunkAt(m.vocabulary, word)].filter(Boolean);
  for (const chunk of await Promise.all(names.map(load))) Object.assign(loadedVocabulary, chunk);
  return loadedVocabulary;
}

// The stems a term stands for: its own word's, and when typed as a prefix, every word's it begins.
async function stemsOf(term) {
  const vocab = await vocabulary(term.word, term.prefix);
  const stems = new Set();
  const stemOf = (w) => vocab[w] || w;
  if (term.word in vocab) stems.add(stemOf(term.word));
  if (term.prefix) {
    for (const w of Object.keys(vocab)) {
      if (w.startsWith(term.word)) stems.add(stemOf(w));
      if (stems.size >= 40) break;
    }
  }
  return stems;
}

// A term's matches: for each document, its best-scoring stem's score, section and title mark,
// in arrays indexed by document (typed arrays: a word of a 10,000-brief site matches most of
// them, and objects per document cost more than the ranking itself). A stem's postings are
// [weight, document, impact, place, …]: a document's score is impact × weight, each document
// after the first is given as the difference from the one before, and place is the section × 2,
// plus 1 when the document's title has the stem.
async function matches(stems) {
  const m = await manifest();
  const found = { docs: [], score: new Float64Array(m.documents), section: new Uint16Array(m.documents), title: new Uint8Array(m.documents) };
  const lists = await Promise.all([...stems].map(async (stem) => {
    const name = chunkAt(m.postings, stem);
    return name ? (await load(name))[stem] || [] : [];
  }));
  for (const flat of lists) {
    let doc = 0;
    const weight = flat[0];
    for (let i = 1; i < flat.length; i += 3) {
      doc += flat[i];
      const impact = flat[i + 1] * weight;
      if (found.score[doc] === 0) found.docs.push(doc);
      if (found.score[doc] < impact) {
        found.score[doc] = impact;
        found.section[doc] = flat[i + 2] >> 1;
      }
      found.title[doc] |= flat[i + 2] & 1;
    }
  }
  return found;
}

// Levenshtein distance, for "did you mean".
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

// The nearest word of the vocabulary near `word`'s place in it (its chunk and the next).
async function closest(word) {
  const m = await manifest();
  const at = m.vocabulary.findIndex((c) => c[1] === chunkAt(m.vocabulary, word));
  const near = m.vocabulary.slice(Math.max(at, 0), at + 2).map((c) => c[1]);
  const vocab = Object.assign({}, ...(await Promise.all(near.map(load))));
  let best = null;
  let bestDistance = word.length > 4 ? 3 : 2;
  for (const w of Object.keys(vocab)) {
    if (Math.abs(w.length - word.length) >= bestDistance) continue;
    const d = distance(word, w);
    if (d < bestDistance) [best, bestDistance] = [w, d];
  }
  return best;
}

// Ranked documents for the words: all words required, or when none has them all, any.
async function rank(query) {
  const wanted = terms(query);
  const perTerm = [];
  const unknown = [];
  const stems = new Set();
  for (const term of wanted) {
    const s = await stemsOf(term);
    s.forEach((x) => stems.add(x));
    const found = await matches(s);
    if (found.docs.length === 0) unknown.push(term.word);
    perTerm.push(found);
  }
  // A query of two or more words, all of them in a brief's title, puts that brief first.
  const titled = perTerm.length > 1 ? TITLED : 0;
  const combine = (docs) => docs.map((doc) => {
    let score = 0;
    let section = 0;
    let best = -1;
    let inTitle = 0;
    for (const found of perTerm) {
      const hit = found.score[doc];
      if (!hit) continue;
      score += hit;
      inTitle += found.title[doc];
      if (hit > best) [best, section] = [hit, found.section[doc]];
    }
    return { doc, score: score + (inTitle === perTerm.length ? titled : 0), section };
  });
  const all = perTerm.length ? perTerm[0].docs.filter((d) => perTerm.every((f) => f.score[d] > 0)) : [];
  if (all.length || perTerm.length < 2) return { hits: combine(all), partial: false, unknown, stems, wanted };
  const any = new Set(perTerm.flatMap((f) => f.docs));
  return { hits: combine([...any]), partial: any.size > 0, unknown, stems, wanted };
}

function readForm() {
  const filters = {};
  for (const name of FILTERS) {
    const value = form.elements[name].value;
    if (value) filters[name] = value;
  }
  return { q: form.elements.q.value, filters, sort: form.elements.sort.value };
}

function address({ q, filters, sort }) {
  const params = new URLSearchParams();
  if (q.trim()) params.set("q", q.trim());
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  if (sort !== "relevance") params.set("sort", sort);
  const search = params.toString();
  return search ? `?${search}` : location.pathname;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Whether a word of the text is one the query matched.
function matcher(found) {
  return (word) => {
    const folded = fold(word);
    if (folded in loadedVocabulary && found.stems.has(loadedVocabulary[folded] || folded)) return true;
    return found.wanted.some((t) => (t.prefix ? folded.startsWith(t.word) : folded === t.word))
      || found.stems.has(folded);
  };
}

// The text around its first match, the matched words in <mark>, "…" where it is cut.
function excerpt(text, isMatch) {
  const parts = [...segmenter.segment(text)];
  const wordAt = parts.map((p, i) => (p.isWordLike ? i : -1)).filter((i) => i >= 0);
  const first = wordAt.findIndex((i) => isMatch(parts[i].segment));
  const start = first > 8 ? wordAt[first - 8] : 0;
  const endWord = wordAt[Math.max(first, 0) + EXCERPT_WORDS - Math.min(Math.max(first, 0), 8)];
  const end = endWord === undefined ? parts.length : endWord;
  const p = el("p", { class: "search-result-excerpt" });
  if (start > 0) p.append("… ");
  for (const part of parts.slice(start, end)) {
    if (part.isWordLike && isMatch(part.segment)) p.append(el("mark", {}, part.segment));
    else p.append(part.segment);
  }
  if (end < parts.length) p.append(" …");
  return p;
}

function result(card, hit, isMatch) {
  const item = el("li", { class: "search-result" });
  const heading = el("h2", { class: "search-result-title" });
  heading.append(el("a", { href: root + card.url }, card.title));
  const meta = el("p", { class: "search-result-meta" });
  meta.append(el("span", { class: "kind" }, card.kind));
  if (card.datetime) meta.append(" ", el("time", { datetime: card.datetime }, card.date));
  if (card.authors.length) meta.append(" · ", joinNames(card.authors));
  item.append(heading, meta);
  if (card.topics.length) item.append(el("p", { class: "search-result-topics" }, card.topics.join(" · ")));
  // A section is [anchor, heading, the start of its text]; the first has no heading.
  const [anchor, sectionHeading, sectionText] = card.sections[hit.section] || card.sections[0] || ["", "", ""];
  const text = (hit.section > 0 && sectionText) || card.summary || sectionText || "";
  if (text) item.append(excerpt(text, isMatch));
  if (hit.section > 0 && anchor) {
    const sub = el("p", { class: "search-result-section" }, "In the section ");
    sub.append(el("a", { href: `${root}${card.url}#${encodeURIComponent(anchor)}` }, sectionHeading));
    item.append(sub);
  }
  return item;
}

function joinNames(names) {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

async function card(doc) {
  const m = await manifest();
  const n = Math.floor(doc / m.documentChunk);
  const chunk = await load(`documents-${n}-${m.documentHashes.slice(n * 8, n * 8 + 8)}.json`);
  return chunk[doc % m.documentChunk];
}

let pending = [];
let generation = 0;
let isMatch = () => false;

// The next page of results, each shown as soon as its card and those above it are in: the
// cards are in scattered files, and the first need not wait for the slowest.
async function showMore() {
  const mine = generation;
  const next = pending.splice(0, PAGE);
  const cards = next.map((hit) => card(hit.doc));
  for (const [i, hit] of next.entries()) {
    const shown = await cards[i];
    if (mine !== generation) return;
    list.append(result(shown, hit, isMatch));
  }
  moreWrap.hidden = pending.length === 0;
}

// The documents with a filter's value, as a set; all documents when the filter is not set.
function allowed(filters, name, value) {
  return value ? new Set(filters[name]?.[value] || []) : null;
}

// Shows each filter value's count among the results filtered by the other filters.
function showCounts(hits, filters, chosen) {
  for (const name of FILTERS) {
    const others = FILTERS.filter((n) => n !== name && chosen[n]).map((n) => allowed(filters, n, chosen[n]));
    const base = hits.filter((h) => others.every((set) => set.has(h.doc)));
    for (const option of form.elements[name].options) {
      if (!option.value) continue;
      const docs = new Set(filters[name]?.[option.value] || []);
      const count = base.filter((h) => docs.has(h.doc)).length;
      option.textContent = `${option.value} (${count})`;
    }
  }
}

function clearCounts() {
  for (const name of FILTERS) {
    for (const option of form.elements[name].options) if (option.value) option.textContent = option.value;
  }
}

async function suggest(found) {
  suggestion.replaceChildren();
  suggestion.hidden = true;
  for (const word of found.unknown) {
    const better = await closest(word);
    if (!better) continue;
    const q = form.elements.q.value.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i"), better);
    const link = el("a", { href: address({ ...readForm(), q }) }, q.trim());
    link.addEventListener("click", (event) => {
      event.preventDefault();
      form.elements.q.value = q;
      run({ push: true });
    });
    suggestion.append("Did you mean ", link, "?");
    suggestion.hidden = false;
    return;
  }
}

// The type filter's values come from the index, not the page: added once it is loaded.
let typesAdded = false;
function addTypes(filters, current) {
  if (typesAdded) return;
  typesAdded = true;
  const select = form.elements.type;
  for (const value of Object.keys(filters.type || {})) select.append(el("option", { value }, value));
  const wanted = new URLSearchParams(location.search).get("type");
  if (wanted && filters.type?.[wanted]) {
    select.value = wanted;
    current.filters.type = wanted;
  }
}

// Filter → value → its documents. The file lists each value's documents as differences;
// it is loaded only when a filter is set or after the first results are shown.
let filterLists;
function filtersLoaded() {
  filterLists ??= manifest().then((m) => load(m.filters)).then((raw) => {
    const lists = {};
    for (const [name, values] of Object.entries(raw)) {
      lists[name] = {};
      for (const [value, gaps] of Object.entries(values)) {
        let doc = 0;
        lists[name][value] = gaps.map((gap) => (doc += gap));
      }
    }
    return lists;
  });
  return filterLists;
}

async function search(current) {
  const m = await manifest();
  const needed = Object.keys(current.filters).length > 0 || new URLSearchParams(location.search).has("type");
  const filters = needed ? await filtersLoaded() : null;
  if (filters) addTypes(filters, current);
  const q = current.q.trim();
  const found = q ? await rank(current.q) : { hits: [], partial: false, unknown: [], stems: new Set(), wanted: [] };
  let hits = found.hits;
  if (!q) hits = Array.from({ length: m.documents }, (_, doc) => ({ doc, score: 0, section: 0 }));
  const unfiltered = hits;
  for (const [name, value] of Object.entries(filters ? current.filters : {})) {
    const set = allowed(filters, name, value);
    hits = hits.filter((h) => set.has(h.doc));
  }
  if (current.sort === "newest" || !q) hits.sort((a, b) => a.doc - b.doc);
  else hits = await titleFirst(hits.sort((a, b) => b.score - a.score || a.doc - b.doc), found.wanted);
  return { found, hits, unfiltered };
}

// Of the first page's briefs whose titles have every word of the query, those whose title is
// the query, word for word, go first: another title may have the same words in another order
// ("Measuring Floor Pathway …") or in other forms ("Tariffs" for "Tariff"). Their cards are
// the ones the page shows first, so this loads nothing more.
async function titleFirst(hits, wanted) {
  const titled = hits.slice(0, PAGE).filter((hit) => hit.score >= TITLED);
  if (titled.length < 2) return hits;
  const query = wanted.map((term) => term.word).join(" ");
  const cards = await Promise.all(titled.map((hit) => card(hit.doc)));
  const exact = titled.filter((_, i) => words(cards[i].title).map(fold).join(" ") === query);
  return exact.length ? [...exact, ...hits.filter((hit) => !exact.includes(hit))] : hits;
}

// The filters' counts, once their lists are loaded (after the first results, when no filter
// is set: a query's first results need only its words' files).
async function countFilters(mine, current, unfiltered) {
  const filters = await filtersLoaded();
  if (mine !== generation) return;
  addTypes(filters, current);
  showCounts(unfiltered, filters, current.filters);
}

async function run({ push = false } = {}) {
  const mine = ++generation;
  const current = readForm();
  const target = address(current);
  if (target !== location.search && !(target === location.pathname && !location.search)) {
    history[push ? "pushState" : "replaceState"](null, "", target);
  }
  const active = current.q.trim() || Object.keys(current.filters).length || new URLSearchParams(location.search).has("type");
  if (!active) {
    list.hidden = true;
    moreWrap.hidden = true;
    suggestion.hidden = true;
    list.replaceChildren();
    clearCounts();
    browse.hidden = false;
    status.textContent = "";
    return;
  }
  let outcome;
  try {
    outcome = await search(current);
  } catch {
    if (mine === generation) status.textContent = "The search index could not be loaded; browse by topic or author below.";
    return;
  }
  if (mine !== generation) return;
  const { found, hits, unfiltered } = outcome;
  isMatch = matcher(found);
  pending = [...hits];
  list.replaceChildren();
  list.hidden = hits.length === 0;
  browse.hidden = hits.length > 0;
  const words = current.q.trim() ? ` for “${current.q.trim()}”` : "";
  const some = found.partial ? " (with some of the words; none has them all)" : "";
  status.textContent = hits.length === 0
    ? `No briefs found${words}.`
    : `${hits.length} result${hits.length === 1 ? "" : "s"} found${words}${some}.`;
  await suggest(found);
  await showMore();
  // Not awaited: the next keystroke's search need not wait for the counts.
  countFilters(mine, current, unfiltered).catch(() => {});
}

// Typing is debounced by the search itself: a keystroke while no search runs searches at once;
// keystrokes while one runs collapse into one search of the latest words when it ends.
let running = null;
let queued = null;
function schedule(options) {
  if (running) {
    queued = { push: options.push || queued?.push };
    return;
  }
  running = run(options).finally(() => {
    running = null;
    const next = queued;
    queued = null;
    if (next) schedule(next);
  });
}
form.addEventListener("input", (event) => schedule({ push: event.target.name !== "q" }));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  schedule({ push: true });
});
more.addEventListener("click", showMore);

// Arrow keys: down from the box into the results, up and down between them, up back to the box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = [...list.querySelectorAll(".search-result-title a")];
  const box = form.elements.q;
  const at = links.indexOf(document.activeElement);
  if (document.activeElement === box && event.key === "ArrowDown" && links.length) {
    links[0].focus();
  } else if (at >= 0) {
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    (next < 0 ? box : links[Math.min(next, links.length - 1)]).focus();
  } else {
    return;
  }
  event.preventDefault();
});

function fromAddress() {
  const params = new URLSearchParams(location.search);
  form.elements.q.value = params.get("q") || "";
  for (const name of FILTERS) {
    const value = params.get(name) || "";
    const known = [...form.elements[name].options].some((o) => o.value === value);
    form.elements[name].value = known ? value : "";
  }
  form.elements.sort.value = params.get("sort") === "newest" ? "newest" : "relevance";
}

window.addEventListener("popstate", () => {
  fromAddress();
  run();
});

fromAddress();
run();
// Every search starts from the manifest: fetched now, the first keystroke need not wait for it.
manifest().catch(() => {});
