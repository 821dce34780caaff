// Serve dist/ on PORT; without PORT, print what "/" would return and exit.
const fs = require("fs");
const http = require("http");
const path = require("path");

const page = () => fs.readFileSync(path.join(__dirname, "dist", "index.html"), "utf8");

if (process.env.PORT) {
  http
    .createServer((request, response) => {
      response.writeHead(200, { "Content-Type": "text/html" });
      response.end(page());
    })
    .listen(Number(process.env.PORT));
} else {
  process.stdout.write(page() + "\n");
}
