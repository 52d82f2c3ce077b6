// The page's behaviour: theme toggle, copy buttons, keys, the contents list that follows the
// scroll, and search. Plain script (no modules), so it runs from file:// as well.
(function () {
  'use strict';
  var root = document.documentElement;

  // Theme: follows the system until the reader picks one; the choice is saved.
  var themeButton = document.querySelector('.theme-toggle');
  var systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  function isDark() {
    var chosen = root.getAttribute('data-theme');
    return chosen ? chosen === 'dark' : systemDark.matches;
  }
  function showTheme() {
    if (!themeButton) return;
    var dark = isDark();
    themeButton.setAttribute('aria-pressed', String(dark));
    themeButton.title = dark ? 'Light theme' : 'Dark theme';
  }
  if (themeButton) {
    themeButton.addEventListener('click', function () {
      var next = isDark() ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      try { localStorage.setItem('workbook-theme', next); } catch (e) { /* private mode: not saved */ }
      showTheme();
    });
    systemDark.addEventListener('change', showTheme);
    showTheme();
  }

  // The reference code for an exercise comes folded, so that a student tries first. A reader who
  // only reads unfolds it everywhere at once, with the box above the first; the choice is saved.
  var answers = Array.prototype.slice.call(document.querySelectorAll('details.answer'));
  if (answers.length > 0) {
    var shown = false;
    try { shown = localStorage.getItem('workbook-answers') === 'shown'; } catch (e) { /* not saved */ }
    var label = document.createElement('label');
    label.className = 'answers-toggle';
    label.innerHTML = '<input type="checkbox"> Show the reference code for the exercises (' + answers.length + (answers.length === 1 ? ' code block' : ' code blocks') + ' on this page)';
    var box = label.querySelector('input');
    box.checked = shown;
    var fold = function (open) { answers.forEach(function (d) { d.open = open; }); };
    box.addEventListener('change', function () {
      fold(box.checked);
      try { localStorage.setItem('workbook-answers', box.checked ? 'shown' : 'folded'); } catch (e) { /* private mode: not saved */ }
    });
    answers[0].parentNode.insertBefore(label, answers[0]);
    fold(shown);
    // On paper there is nothing to unfold.
    window.addEventListener('beforeprint', function () { fold(true); });
  }

  // Copy buttons copy only the code: never the title, the prompt or the button's own label.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
    return Promise.resolve();
  }
  // What a button did is said aloud too: its new text alone is not announced.
  var copyStatus = document.createElement('p');
  copyStatus.className = 'visually-hidden';
  copyStatus.setAttribute('role', 'status');
  document.body.appendChild(copyStatus);
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.hidden = false;
    // Named by the block's file, where it has one: a page holds many blocks.
    var title = button.parentElement.previousElementSibling;
    var what = button.closest('.box-run') ? 'the command'
      : title && title.classList.contains('block-title') ? 'the code of ' + title.textContent : 'the code';
    button.setAttribute('aria-label', 'Copy ' + what);
    button.addEventListener('click', function () {
      var code = button.parentElement.querySelector('pre code');
      copyText(code.textContent).then(function () {
        button.textContent = 'Copied';
        button.classList.add('copied');
        copyStatus.textContent = 'Copied ' + what;
        setTimeout(function () { button.textContent = 'Copy'; button.classList.remove('copied'); copyStatus.textContent = ''; }, 1500);
      }, function () {
        button.textContent = 'Select and copy';
        copyStatus.textContent = 'Not copied: select the code and copy it';
      });
    });
  });
  // An untitled block's button sits at the end of its first line: a first line long enough to run
  // under it starts below the button instead, at whatever width the page is read.
  var untitled = Array.prototype.slice.call(document.querySelectorAll('.block-body')).filter(function (body) {
    var title = body.previousElementSibling;
    return body.querySelector(':scope > button.copy') && !(title && title.classList.contains('block-title'));
  });
  function firstLineEnd(code) {
    var range = document.createRange();
    range.selectNodeContents(code);
    var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var at = node.data.indexOf('\n');
      if (at !== -1) { range.setEnd(node, at); break; }
    }
    return range.getBoundingClientRect().right;
  }
  function clearCopyButtons() {
    untitled.forEach(function (body) {
      var pre = body.querySelector('pre');
      var button = body.querySelector('button.copy');
      if (pre.offsetWidth === 0) return; // in a folded hint: measured when it opens
      body.classList.toggle('copy-clear', firstLineEnd(pre.querySelector('code')) + pre.scrollLeft > button.getBoundingClientRect().left - 4);
    });
  }
  // A code block, a table or a chart is a tab stop (tabindex="0" in the HTML, so that it is one
  // without scripts) only where it scrolls sideways: elsewhere Tab would stop on nothing to do.
  // It stays focusable by a click (-1), so the arrows there are still its own, not the page's.
  var scrollers = Array.prototype.slice.call(document.querySelectorAll('pre[tabindex], table[tabindex], .chart-scroll[tabindex]')).map(function (el) {
    return { el: el, label: el.getAttribute('aria-label') };
  });
  function tabStops() {
    scrollers.forEach(function (s) {
      if (s.el.offsetWidth === 0) return; // folded: measured when it opens
      var scrolls = s.el.scrollWidth > s.el.clientWidth;
      s.el.tabIndex = scrolls ? 0 : -1;
      // "The chart (on a narrow screen, scroll it sideways)": the advice only where it holds.
      if (s.label) s.el.setAttribute('aria-label', scrolls ? s.label : s.label.replace(/ \(.*\)$/, ''));
    });
  }
  var measuring = 0;
  function measureSoon() {
    cancelAnimationFrame(measuring);
    measuring = requestAnimationFrame(function () { clearCopyButtons(); tabStops(); });
  }
  clearCopyButtons();
  tabStops();
  window.addEventListener('resize', measureSoon);
  document.addEventListener('toggle', measureSoon, true);


  // Chapters on narrow screens.
  var menu = document.querySelector('.menu-toggle');
  var sidebar = document.getElementById('sidebar');
  if (menu && sidebar) {
    var closeMenu = function () {
      sidebar.classList.remove('open');
      menu.setAttribute('aria-expanded', 'false');
    };
    menu.addEventListener('click', function () {
      var open = sidebar.classList.toggle('open');
      menu.setAttribute('aria-expanded', String(open));
    });
    // Escape closes the chapters, back to the button that opened them.
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' || !sidebar.classList.contains('open')) return;
      closeMenu();
      menu.focus();
    });
    // Tab past the last chapter goes on into the page the chapters cover: they close, so that the
    // focus is never on a link out of sight. The top bar stays in sight, and leaving the window is
    // no leaving (no element takes the focus).
    sidebar.addEventListener('focusout', function (event) {
      var to = event.relatedTarget;
      if (sidebar.classList.contains('open') && to && !sidebar.contains(to) && !to.closest('.topbar')) closeMenu();
    });
  }

  // The contents list marks the section being read.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll('.toc a'));
  if (tocLinks.length > 0 && 'IntersectionObserver' in window) {
    var targets = tocLinks.map(function (a) { return document.getElementById(decodeURIComponent(a.hash.slice(1))); });
    var update = function () {
      var current = 0;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i] && targets[i].getBoundingClientRect().top < window.innerHeight * 0.3) current = i;
      }
      // At the end of the page the last sections never reach the top: the one the reader went to
      // (its link clicked), or else the last one in sight.
      if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2) {
        var inSight = function (t) { return t && t.getBoundingClientRect().top < window.innerHeight; };
        var asked = targets.indexOf(document.getElementById(decodeURIComponent(location.hash.slice(1))));
        if (asked > current && inSight(targets[asked])) current = asked;
        else for (var j = current + 1; j < targets.length; j++) if (inSight(targets[j])) current = j;
      }
      tocLinks.forEach(function (a, i) {
        a.classList.toggle('active', i === current);
        if (i === current) a.setAttribute('aria-current', 'location'); else a.removeAttribute('aria-current');
      });
    };
    var observer = new IntersectionObserver(update, { rootMargin: '0px 0px -70% 0px' });
    targets.forEach(function (t) { if (t) observer.observe(t); });
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('hashchange', update);
    update();
  }

  // Search: the index is a plain script built with the site, loaded on first use.
  var dialog = document.querySelector('dialog.search');
  var input = document.getElementById('search-input');
  var results = document.querySelector('.search-results');
  var status = document.querySelector('.search-status');
  var engine = null;
  var loading = null;
  var stemOf = function (word) { return word; };
  function scriptBase() {
    var own = document.querySelector('script[src$="assets/site.js"]');
    return own.getAttribute('src').replace(/site\.js$/, '');
  }
  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = scriptBase() + src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(script);
    });
  }
  function loadIndex() {
    if (loading) return loading;
    loading = load('minisearch.js').then(function () { return load('search-index.js'); }).then(function () {
      var data = window.WORKBOOK_SEARCH;
      // The build's own stemmer (search-index.ts), for the words searched as for the words indexed.
      stemOf = data.stem;
      engine = window.MiniSearch.loadJSON(data.index, Object.assign({}, data.options, { processTerm: data.stem }));
    });
    return loading;
  }
  // Sections with every word first ("double free" is about double frees, not every free), then
  // any word; only when the words as typed find nothing is a typo forgiven, and only in a long
  // word, so "vmmap" does not find "mmap", nor "segfault" every "default".
  function search(query) {
    var asked = withSynonyms(query);
    var fuzzy = function (term) { return term.length > 5 ? 0.2 : false; };
    var tries = [
      { combineWith: 'AND', fuzzy: false },
      { combineWith: 'OR', fuzzy: false },
      { combineWith: 'AND', fuzzy: fuzzy },
      { combineWith: 'OR', fuzzy: fuzzy },
    ];
    for (var i = 0; i < tries.length; i++) {
      var hits = engine.search(asked, tries[i]);
      if (hits.length > 0) return phraseFirst(asked, hits);
    }
    return [];
  }
  // Words a reader types that the book spells otherwise.
  var SYNONYMS = { segfault: 'segmentation fault', segfaults: 'segmentation faults', sigsegv: 'segmentation fault', oom: 'out of memory' };
  function withSynonyms(query) {
    return query.replace(/[A-Za-z]+/g, function (word) { return SYNONYMS[word.toLowerCase()] || word; });
  }
  // Of several words, the sections that have them in a row come first, in the engine's order:
  // "double free" is the bug, a double and a free apart are not. The index knows only words, so
  // each section keeps its words in order (search-index.ts); the last may be typed in part.
  function phraseFirst(query, hits) {
    var words = wordsOf(query).map(stemOf);
    if (words.length < 2) return hits;
    var phrase = ' ' + words.join(' ');
    // A bar between title and prose: no phrase spans them.
    var inRow = function (hit) { return (' ' + wordsOf(hit.title).map(stemOf).join(' ') + ' | ' + wordsOf(hit.prose).map(stemOf).join(' ')).indexOf(phrase) !== -1; };
    return hits.filter(inRow).concat(hits.filter(function (hit) { return !inRow(hit); }));
  }
  // The prose around the first word searched for, when the section's opening lacks them all.
  function excerptFor(hit, query) {
    // Stemmed, each word is found as the start of any of its forms: coalesc in coalescing.
    var words = wordsOf(query).map(stemOf);
    var lower = hit.prose.toLowerCase();
    var opening = hit.excerpt.toLowerCase();
    if (words.some(function (w) { return opening.indexOf(w) !== -1; })) return hit.excerpt;
    var at = -1;
    words.forEach(function (w) {
      var i = lower.indexOf(w);
      if (i !== -1 && (at === -1 || i < at)) at = i;
    });
    if (at === -1) return hit.excerpt;
    var start = Math.max(0, hit.prose.lastIndexOf(' ', Math.max(0, at - 60)) + 1);
    var end = hit.prose.indexOf(' ', Math.min(hit.prose.length, at + 120));
    var cut = hit.prose.slice(start, end === -1 ? hit.prose.length : end);
    return (start > 0 ? '… ' : '') + cut + (end === -1 ? '' : ' …');
  }
  // Split and lowercased as the index is built (MiniSearch's own tokenizer).
  function wordsOf(text) {
    return window.MiniSearch.getDefault('tokenize')(text)
      .filter(function (word) { return word !== ''; })
      .map(function (word) { return word.toLowerCase(); });
  }
  function render(query) {
    results.textContent = '';
    if (!engine || query.trim() === '') { status.textContent = ''; return; }
    var all = search(query);
    var found = all.slice(0, 12);
    status.textContent =
      found.length === 0 ? 'Nothing found for “' + query + '”.'
      : all.length > found.length ? 'The first ' + found.length + ' of ' + all.length + ' sections'
      : found.length + (found.length === 1 ? ' section' : ' sections');
    found.forEach(function (hit) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = hit.href;
      var title = document.createElement('span');
      title.className = 'result-title';
      title.textContent = hit.title;
      var page = document.createElement('span');
      page.className = 'result-page';
      page.textContent = ' · ' + hit.pageTitle;
      var excerpt = document.createElement('span');
      excerpt.className = 'result-excerpt';
      excerpt.textContent = excerptFor(hit, withSynonyms(query));
      a.append(title, page, excerpt);
      a.addEventListener('click', function () { dialog.close(); });
      li.appendChild(a);
      results.appendChild(li);
    });
  }
  function openSearch() {
    if (!dialog || dialog.open) return;
    dialog.showModal();
    input.focus();
    input.select();
    loadIndex().then(function () { render(input.value); }, function (error) { status.textContent = 'Search is not available: ' + error.message; });
  }
  if (dialog) {
    document.querySelector('.search-open').addEventListener('click', openSearch);
    // A click on the dimmed page around the dialog closes it (its own content covers the dialog).
    dialog.addEventListener('click', function (event) { if (event.target === dialog) dialog.close(); });
    input.addEventListener('input', function () { render(input.value); });
    input.addEventListener('keydown', function (event) {
      // A search field's Escape would only empty it (Chromium): one Escape closes the search.
      if (event.key === 'Escape') { event.preventDefault(); dialog.close(); return; }
      if (event.key === 'ArrowDown' || event.key === 'Enter') {
        var first = results.querySelector('a');
        if (first) { event.preventDefault(); if (event.key === 'Enter') first.click(); else first.focus(); }
      }
    });
    results.addEventListener('keydown', function (event) {
      var links = Array.prototype.slice.call(results.querySelectorAll('a'));
      var i = links.indexOf(document.activeElement);
      if (event.key === 'ArrowDown' && i < links.length - 1) { event.preventDefault(); links[i + 1].focus(); }
      if (event.key === 'ArrowUp') { event.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
    });
  }

  // Keys: / searches, ← and → turn the page. The arrows turn it only when the reader is on the
  // page itself: on a code block, a table or a chart they scroll it, on a link or button they
  // are the browser's, and with a heap or zone view in sight they step it, as its legend says.
  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest('input, textarea, select, [contenteditable], dialog[open]')) return;
    var arrow = event.key === 'ArrowLeft' || event.key === 'ArrowRight';
    if (event.key === '/') {
      event.preventDefault();
      openSearch();
    } else if (arrow && (target === document.body || target === root || target.id === 'content')) {
      var view = viewInSight();
      if (view) {
        event.preventDefault();
        view.focus({ preventScroll: true });
        view.dispatchEvent(new KeyboardEvent('keydown', { key: event.key, bubbles: true, cancelable: true }));
        return;
      }
      var link = document.querySelector(event.key === 'ArrowLeft' ? '.pager a[rel="prev"]' : '.pager a[rel="next"]');
      if (link) location.href = link.href;
    }
  });
  function viewInSight() {
    var views = document.querySelectorAll('.heap-view, .zone-view');
    for (var i = 0; i < views.length; i++) {
      var box = views[i].getBoundingClientRect();
      if (box.bottom > 0 && box.top < window.innerHeight && views[i].querySelector('.hv-controls:not([hidden])')) return views[i];
    }
    return null;
  }
})();
