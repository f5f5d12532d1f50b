// The search page: runs the form's query through Pagefind's index (built by `folio build`,
// loaded in chunks as the words need them) and lists the briefs found. Without JavaScript the
// page keeps its links to every topic and author; with it, the address (?q=…&topic=…) stays in
// step with the form so a search can be shared and the back button works.
const form = document.getElementById("search-form");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const moreWrap = document.getElementById("search-more-wrap");
const more = document.getElementById("search-more");
const browse = document.getElementById("search-browse");
const FILTERS = ["topic", "author", "year"];
const PAGE = 10;

document.getElementById("search-nojs").hidden = true;
let pagefind;
let shown = [];
let generation = 0;

function query() {
  const filters = {};
  for (const name of FILTERS) {
    const value = form.elements[name].value;
    if (value) filters[name] = value;
  }
  return { q: form.elements.q.value.trim(), filters };
}

function syncAddress({ q, filters }) {
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function result(data) {
  const item = el("li", { class: "search-result" });
  const heading = el("h2", { class: "search-result-title" });
  heading.append(el("a", { href: data.url }, data.meta.title || data.url));
  const meta = el("p", { class: "search-result-meta" });
  meta.append(el("span", { class: "kind" }, data.meta.kind || "Brief"), " ");
  meta.append(el("time", { datetime: data.meta.datetime || "" }, data.meta.date || ""));
  if (data.meta.authors) meta.append(" · ", data.meta.authors);
  const excerpt = el("p", { class: "search-result-excerpt" });
  // Pagefind's excerpt is the page's text, escaped, with the matches in <mark>.
  excerpt.innerHTML = data.excerpt;
  item.append(heading, meta, excerpt);
  return item;
}

async function showMore() {
  const mine = generation;
  const next = shown.splice(0, PAGE);
  const data = await Promise.all(next.map((r) => r.data()));
  if (mine !== generation) return;
  for (const d of data) list.append(result(d));
  moreWrap.hidden = shown.length === 0;
}

async function run() {
  const mine = ++generation;
  const current = query();
  syncAddress(current);
  const active = current.q || Object.keys(current.filters).length;
  if (!active) {
    list.hidden = true;
    moreWrap.hidden = true;
    list.replaceChildren();
    browse.hidden = false;
    status.textContent = "";
    return;
  }
  if (!pagefind) {
    status.textContent = "Loading the search index…";
    try {
      pagefind = await import(form.dataset.pagefind);
      await pagefind.options({ excerptLength: 24 });
    } catch {
      status.textContent = "The search index could not be loaded; browse by topic or author below.";
      return;
    }
  }
  const found = await pagefind.search(current.q || null, { filters: current.filters, sort: current.q ? undefined : { date: "desc" } });
  if (mine !== generation || !found) return;
  shown = found.results.slice();
  list.replaceChildren();
  list.hidden = shown.length === 0;
  browse.hidden = shown.length > 0;
  const count = shown.length;
  const words = current.q ? ` for “${current.q}”` : "";
  status.textContent = count === 0
    ? `No briefs found${words}.`
    : `${count} brief${count === 1 ? "" : "s"} found${words}.`;
  await showMore();
}

let timer;
form.addEventListener("input", (event) => {
  clearTimeout(timer);
  timer = setTimeout(run, event.target.name === "q" ? 250 : 0);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  run();
});
more.addEventListener("click", showMore);

const params = new URLSearchParams(location.search);
form.elements.q.value = params.get("q") || "";
for (const name of FILTERS) {
  const value = params.get(name);
  if (value && [...form.elements[name].options].some((o) => o.value === value)) {
    form.elements[name].value = value;
  }
}
run();
