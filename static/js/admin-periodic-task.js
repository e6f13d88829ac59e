// The admin's periodic-task form (django-celery-beat): under the crontab choice,
// say in words when the chosen schedule runs. Moved out of the package's template
// because the site's Content-Security-Policy runs no inline script.
"use strict";

(function () {
  const $ = window.django && window.django.jQuery;
  const data = document.getElementById("readable-crontabs");
  const help = document.currentScript.dataset.crontabHelp || "";
  if (!$ || !data) return;
  const readable = JSON.parse(data.textContent);

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    const translation = readable[$("#id_crontab").val()];
    $(".field-crontab .help")
      .empty()
      .append(document.createTextNode(help), document.createElement("br"))
      .append(document.createTextNode(`Translation: ${translation}`));
  });
})();
