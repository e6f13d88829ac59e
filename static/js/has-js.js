"use strict";
// Loaded in <head>, before the page is drawn: styles for script-enhanced controls
// (stars that save on click) apply from the first paint. A file, not an inline
// script, so the Content-Security-Policy allows no inline script at all.
document.documentElement.classList.add("js");
