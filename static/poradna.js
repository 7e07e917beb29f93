/* Accessibility fixes over the widgets Flask-Admin ships (WCAG 2.1 AA). */
(function ($) {
  'use strict';
  if (!$) { return; }
  var script = document.currentScript;
  var removeLabel = (script && script.getAttribute('data-remove-label')) || 'Remove';

  // select2 3.5:
  // - the search box has role=combobox and aria-owns, but not the aria-controls ARIA 1.2 requires;
  // - the result list of a multiple select has no role (its options have no listbox) and no name;
  // - the search box keeps aria-activedescendant pointing at a result that is gone;
  // - a chosen item's remove link has no text.
  function repairSelect2(event) {
    var target = event && event.target && event.target.id ? event.target : null;
    $('ul.select2-results:not([role])').attr('role', 'listbox');
    if (target) {
      var label = $('label[for="' + target.id + '"]').first().text().replace(/\*\s*$/, '').trim();
      $('#select2-drop ul.select2-results').each(function () {
        if (label && !this.hasAttribute('aria-label') && !this.hasAttribute('aria-labelledby')) {
          this.setAttribute('aria-label', label);
        }
      });
    }
    $('input.select2-input').each(function () {
      var owns = this.getAttribute('aria-owns');
      if (owns && !this.hasAttribute('aria-controls')) {
        this.setAttribute('aria-controls', owns);
      }
      var active = this.getAttribute('aria-activedescendant');
      if (active && !document.getElementById(active)) {
        this.removeAttribute('aria-activedescendant');
      }
    });
    $('a.select2-search-choice-close').each(function () {
      var item = $(this).siblings('div').first().text().trim();
      this.setAttribute('aria-label', item ? removeLabel + ': ' + item : removeLabel);
    });
  }

  // Flask-Admin prints a field's errors and help text after it without tying them to it:
  // link them with aria-describedby (and mark the field invalid), also on select2's own input.
  function describeFormFields() {
    $('form.admin-form .form-group > label[for]').each(function () {
      var field = document.getElementById(this.getAttribute('for'));
      if (!field) { return; }
      var $group = $(this).parent();
      var ids = [];
      $group.children('.invalid-feedback, .form-text').add($group.children('.input-group').children('.invalid-feedback, .form-text'))
        .each(function (i) {
          if (!this.id) { this.id = field.id + (i ? '-note-' + i : '-note'); }
          ids.push(this.id);
        });
      var invalid = $(field).hasClass('is-invalid');
      var $select2 = $('#s2id_' + field.id).find('input.select2-focusser, input.select2-input');
      var targets = [field].concat($select2.get());
      // select2 names its input after the value chosen (or the placeholder) only: add the field's label
      if (!this.id) { this.id = field.id + '-label'; }
      var labelId = this.id;
      $select2.filter('[aria-labelledby]').each(function () {
        var by = this.getAttribute('aria-labelledby').split(' ');
        if (by.indexOf(labelId) < 0) { this.setAttribute('aria-labelledby', [labelId].concat(by).join(' ')); }
      });
      targets.forEach(function (el) {
        if (ids.length) {
          var own = (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
          el.setAttribute('aria-describedby', own.concat(ids.filter(function (id) { return own.indexOf(id) < 0; })).join(' '));
        }
        if (invalid) { el.setAttribute('aria-invalid', 'true'); }
      });
    });
  }

  $(document).on('select2-open select2-close select2-loaded select2-removed change', repairSelect2);

  // select2 3.5 writes its messages ("Searching…", "No matches", "Loading more results…") as bare
  // <li> in the result listbox, some without any event: a listbox may own options only. Marked as
  // disabled options as soon as they appear (a mutation observer runs before any other task).
  function repairMessages() {
    $('ul.select2-results > li:not([role])').attr({ role: 'option', 'aria-disabled': 'true' });
  }
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        var node = changes[i].target;
        if (node.nodeType === 1 && $(node).closest('.select2-results, .select2-drop').length) {
          repairMessages();
          return;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
  // after every ready handler (Flask-Admin's form.js builds the select2 widgets in one)
  $(function () {
    window.setTimeout(function () {
      repairSelect2();
      describeFormFields();
      document.documentElement.setAttribute('data-poradna-ready', '');
    }, 0);
  });
})(window.jQuery);
