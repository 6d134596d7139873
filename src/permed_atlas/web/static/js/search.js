// Progressive enhancement: a changed facet submits the form (the page works without this too).
(function () {
  var form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && (target.type === "checkbox" || target.type === "radio" || target.tagName === "SELECT")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  // Empty fields would only clutter the shareable URL.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && !el.value && el.type !== "checkbox") el.disabled = true;
    });
  });
})();
