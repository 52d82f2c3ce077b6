// The search index, built once at build time and loaded by a plain script (so search works
// from file:// too): one document per heading, with the text up to the next heading.

import MiniSearch from 'minisearch';
import type { Section } from './markdown.ts';

/** The options the page's script must load the index with: the same fields, in the same order. */
export const SEARCH_OPTIONS = {
  fields: ['title', 'text'],
  storeFields: ['title', 'pageTitle', 'href', 'excerpt', 'prose'],
  searchOptions: { boost: { title: 3 }, prefix: true, fuzzy: 0.2 },
};

/**
 * A light English stemmer: a word's usual endings cut off (-s, -es, -ies, -ed, -ing, a last -e,
 * a doubled consonant before -ed or -ing), so that coalesce, coalesces, coalesced and coalescing
 * are one word, `coalesc`. Words with digits or underscores (code) are only lowercased. Written
 * once, as the source of a plain function: the build indexes with it, and the page's script
 * searches with the very same one (search-index.js carries it as `stem`).
 */
export const STEM_SOURCE = `function stem(term) {
  var t = term.toLowerCase();
  if (!/^[a-z]+$/.test(t)) return t;
  if (t.length > 4 && /ies$/.test(t)) return t.slice(0, -3) + 'y';
  var end = /(ing|ed|es|s)$/.exec(t);
  if (end && !/(ss|us|is)$/.test(t) && t.length - end[0].length >= 3) {
    t = t.slice(0, -end[0].length);
    if ((end[0] === 'ing' || end[0] === 'ed') && /([b-df-hj-km-rtv-y])\\1$/.test(t)) t = t.slice(0, -1);
  }
  return t.length > 3 && /e$/.test(t) ? t.slice(0, -1) : t;
}`;

/** The stemmer of STEM_SOURCE, for the build. */
export const stem = new Function(`return ${STEM_SOURCE}`)() as (term: string) => string;

export interface SearchablePage {
  page: string;
  pageTitle: string;
  sections: Section[];
}

export function buildSearchIndex(pages: SearchablePage[]): string {
  const search = new MiniSearch({ fields: SEARCH_OPTIONS.fields, storeFields: SEARCH_OPTIONS.storeFields, processTerm: stem });
  let id = 0;
  for (const page of pages) {
    for (const section of page.sections) {
      search.add({
        id: id++,
        title: section.title,
        text: `${section.text} ${camelParts(section.text)}`,
        pageTitle: page.pageTitle,
        href: `${page.page}#${section.id}`,
        excerpt: excerptOf(section.prose || section.text),
        // The prose only (code would double the index): the page finds phrases and excerpts in it.
        prose: section.prose || section.text,
      });
    }
  }
  const json = JSON.stringify(search);
  const options = JSON.stringify(SEARCH_OPTIONS);
  return `// Built by site/search-index.ts.\nwindow.WORKBOOK_SEARCH = { options: ${options}, stem: ${STEM_SOURCE}, index: ${JSON.stringify(json)} };\n`;
}

/**
 * The parts of the words written in camel case (MallocScribble, createAllocator), so that a
 * search for "scribble" finds the section about MallocScribble: `Malloc Scribble create Allocator`.
 */
export function camelParts(text: string): string {
  const words = text.match(/\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b/g) ?? [];
  return [...new Set(words)].map((word) => word.replace(/([a-z])([A-Z])/g, '$1 $2')).join(' ');
}

/** The start of a section's prose (its code would read as noise under a result), cut at a word. */
export function excerptOf(text: string): string {
  return text.length > 180 ? `${text.slice(0, 180).replace(/\s+\S*$/, '')} …` : text;
}
