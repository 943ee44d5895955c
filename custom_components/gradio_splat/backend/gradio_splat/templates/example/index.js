import { c as g, g as T, i as k, T as w, a as E, b as u, r as d, d as l, p as M, e as _, f as x, m as y, s as A, h as L, E as N, j as F, k as P, l as S, t as v, n as m } from "./render-BbIbPGUa.js";
const D = (
  // We gotta write it like this because after downleveling the pure comment may end up in the wrong location
  globalThis?.window?.trustedTypes && /* @__PURE__ */ globalThis.window.trustedTypes.createPolicy("svelte-trusted-html", {
    /** @param {string} html */
    createHTML: (a) => a
  })
);
function H(a) {
  return (
    /** @type {string} */
    D?.createHTML(a) ?? a
  );
}
function R(a) {
  var e = g("template");
  return e.innerHTML = H(a.replaceAll("<!>", "<!---->")), e.content;
}
function b(a, e) {
  var s = (
    /** @type {Effect} */
    E
  );
  s.nodes === null && (s.nodes = { start: a, end: e, a: null, t: null });
}
// @__NO_SIDE_EFFECTS__
function C(a, e) {
  var s = (e & w) !== 0, t, f = !a.startsWith("<!>");
  return () => {
    t === void 0 && (t = R(f ? a : "<!>" + a), t = /** @type {TemplateNode} */
    T(t));
    var r = (
      /** @type {TemplateNode} */
      s || k ? document.importNode(t, !0) : t.cloneNode(!0)
    );
    return b(r, r), r;
  };
}
function p(a = "") {
  {
    var e = u(a + "");
    return b(e, e), e;
  }
}
function h(a, e) {
  a !== null && a.before(
    /** @type {Node} */
    e
  );
}
class O {
  /** @type {TemplateNode} */
  anchor;
  /** @type {Map<Batch, Key>} */
  #t = /* @__PURE__ */ new Map();
  /**
   * Map of keys to effects that are currently rendered in the DOM.
   * These effects are visible and actively part of the document tree.
   * Example:
   * ```
   * {#if condition}
   * 	foo
   * {:else}
   * 	bar
   * {/if}
   * ```
   * Can result in the entries `true->Effect` and `false->Effect`
   * @type {Map<Key, Effect>}
   */
  #s = /* @__PURE__ */ new Map();
  /**
   * Similar to #onscreen with respect to the keys, but contains branches that are not yet
   * in the DOM, because their insertion is deferred.
   * @type {Map<Key, Branch>}
   */
  #e = /* @__PURE__ */ new Map();
  /**
   * Keys of effects that are currently outroing
   * @type {Set<Key>}
   */
  #a = /* @__PURE__ */ new Set();
  /**
   * Whether to pause (i.e. outro) on change, or destroy immediately.
   * This is necessary for `<svelte:element>`
   */
  #r = !0;
  /**
   * @param {TemplateNode} anchor
   * @param {boolean} transition
   */
  constructor(e, s = !0) {
    this.anchor = e, this.#r = s;
  }
  /**
   * @param {Batch} batch
   */
  #i = (e) => {
    if (this.#t.has(e)) {
      var s = (
        /** @type {Key} */
        this.#t.get(e)
      ), t = this.#s.get(s);
      if (t)
        d(t), this.#a.delete(s);
      else {
        var f = this.#e.get(s);
        f && (d(f.effect), this.#s.set(s, f.effect), this.#e.delete(s), f.fragment.lastChild.remove(), this.anchor.before(f.fragment), t = f.effect);
      }
      for (const [r, i] of this.#t) {
        if (this.#t.delete(r), r === e)
          break;
        const n = this.#e.get(i);
        n && (l(n.effect), this.#e.delete(i));
      }
      for (const [r, i] of this.#s) {
        if (r === s || this.#a.has(r)) continue;
        const n = () => {
          if (Array.from(this.#t.values()).includes(r)) {
            var o = document.createDocumentFragment();
            y(i, o), o.append(u()), this.#e.set(r, { effect: i, fragment: o });
          } else
            l(i);
          this.#a.delete(r), this.#s.delete(r);
        };
        this.#r || !t ? (this.#a.add(r), M(i, n, !1)) : n();
      }
    }
  };
  /**
   * @param {Batch} batch
   */
  #n = (e) => {
    this.#t.delete(e);
    const s = Array.from(this.#t.values());
    for (const [t, f] of this.#e)
      s.includes(t) || (l(f.effect), this.#e.delete(t));
  };
  /**
   *
   * @param {any} key
   * @param {null | ((target: TemplateNode) => void)} fn
   */
  ensure(e, s) {
    var t = (
      /** @type {Batch} */
      x
    ), f = A();
    if (s && !this.#s.has(e) && !this.#e.has(e))
      if (f) {
        var r = document.createDocumentFragment(), i = u();
        r.append(i), this.#e.set(e, {
          effect: _(() => s(i)),
          fragment: r
        });
      } else
        this.#s.set(
          e,
          _(() => s(this.anchor))
        );
    if (this.#t.set(t, e), f) {
      for (const [n, c] of this.#s)
        n === e ? t.unskip_effect(c) : t.skip_effect(c);
      for (const [n, c] of this.#e)
        n === e ? t.unskip_effect(c.effect) : t.skip_effect(c.effect);
      t.oncommit(this.#i), t.ondiscard(this.#n);
    } else
      this.#i(t);
  }
}
function j(a, e, s = !1) {
  var t = new O(a), f = s ? N : 0;
  function r(i, n) {
    t.ensure(i, n);
  }
  L(() => {
    var i = !1;
    e((n, c = 0) => {
      i = !0, r(c, n);
    }), i || r(-1, null);
  }, f);
}
var B = /* @__PURE__ */ C("<div><!></div>");
function U(a, e) {
  P(e, !0);
  var s = B(), t = S(s);
  {
    var f = (i) => {
      var n = p();
      v((c) => m(n, `frame ${e.value.frame_id ?? "" ?? ""} · ${c ?? ""} splats`), [() => e.value.num_splats?.toLocaleString()]), h(i, n);
    }, r = (i) => {
      var n = p();
      v(() => m(n, e.value.file.orig_name ?? e.value.kind)), h(i, n);
    };
    j(t, (i) => {
      e.value?.kind === "frame" ? i(f) : e.value && i(r, 1);
    });
  }
  h(a, s), F();
}
export {
  U as default
};
