/* Greet the visitor. */
document.getElementById("title").textContent = "Hello from a tiny build";
