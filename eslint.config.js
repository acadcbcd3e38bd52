// ESLint for the page's scripts (theme/page/js): each is a plain browser script,
// inlined into a page, sharing one global namespace `Theme` (window.Theme). Node scripts of
// the tests load some of them too (meters.js through `module.exports`).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["theme/page/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, module: "writable" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
];
