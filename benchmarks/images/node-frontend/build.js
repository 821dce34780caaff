// Build the site: inline the stylesheet and script into dist/index.html, minus comments.
const fs = require("fs");
const path = require("path");

const src = path.join(__dirname, "src");
const read = (name) => fs.readFileSync(path.join(src, name), "utf8");
const strip = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\n\s*\n/g, "\n");

const html = read("index.html")
  .replace("<!-- style -->", `<style>${strip(read("style.css"))}</style>`)
  .replace("<!-- script -->", `<script>${strip(read("app.js"))}</script>`);
fs.mkdirSync(path.join(__dirname, "dist"), { recursive: true });
fs.writeFileSync(path.join(__dirname, "dist", "index.html"), html);
console.log(`built dist/index.html (${html.length} bytes)`);
