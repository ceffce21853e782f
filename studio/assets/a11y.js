/* mentorsim studio: what Dash's own components leave out for keyboard and screen-reader
   users, put right in the page as it is drawn (Dash serves this file with the page).

   - Radio buttons and checkboxes (dcc.RadioItems, dcc.Checklist, and the list of an open
     dcc.Dropdown) are drawn as a list box whose options are labels holding the inputs
     (an unticked checkbox's label says aria-selected without a role): interactive
     controls nested in interactive controls. The list box becomes a plain group (a field's <fieldset>, or
     the drop-down's named dialog, names it) and each label a plain label, so a screen
     reader meets one group of radio buttons, each saying whether it is chosen.
   - A drop-down (dcc.Dropdown) puts a hidden, focusable stand-in before its button and
     takes the button out of the tab order: the stand-in leaves the tab order and the
     button (which names the choice) is reached by Tab itself, so after the page links
     the next Tab lands on the programme picker.
   - An open drop-down's list (a dialog) gets the name of the field it belongs to.
   - The upload's file input gets the name its drop zone shows.

   React redraws only what changes, so these attributes stay put; when it does set one
   again, the observer puts it right again. */
(function () {
  function fix(root) {
    root.querySelectorAll('.dash-options-list[role="listbox"]').forEach(function (box) {
      box.removeAttribute('role');
    });
    root.querySelectorAll('.dash-options-list label[role="option"], ' +
                          '.dash-options-list label[aria-selected]').forEach(function (label) {
      label.removeAttribute('role');
      label.removeAttribute('aria-selected');
    });
    root.querySelectorAll('.dash-dropdown-focus-target').forEach(function (stand) {
      if (stand.getAttribute('tabindex') !== '-1') { stand.setAttribute('tabindex', '-1'); }
      var button = stand.nextElementSibling;
      if (button && button.tagName === 'BUTTON' && !button.disabled &&
          button.getAttribute('tabindex') !== '0') {
        button.setAttribute('tabindex', '0');
      }
    });
    root.querySelectorAll('.dash-dropdown-content[role="dialog"]').forEach(function (box) {
      if (box.getAttribute('aria-label')) { return; }
      var trigger = box.id && document.querySelector('[aria-controls="' + box.id + '"]');
      var label = trigger && trigger.id &&
        document.querySelector('label[for="' + trigger.id + '"]');
      box.setAttribute('aria-label', (label && label.textContent.trim()) || 'Choices');
    });
    root.querySelectorAll('[data-upload-label] input[type="file"]').forEach(function (input) {
      var zone = input.closest('[data-upload-label]');
      if (!input.getAttribute('aria-label')) {
        input.setAttribute('aria-label', zone.getAttribute('data-upload-label'));
      }
    });
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(document); });
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ['role', 'tabindex', 'aria-selected']});
  document.addEventListener('DOMContentLoaded', function () { fix(document); });
})();
