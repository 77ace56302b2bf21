/*
 * The one stylesheet of Casebook's HTML: the report's rules, and after
 * them the rules of the server's pages (header, nav, flash messages,
 * forms, tables of links), so that pages and report look alike. The
 * standalone report file inlines the report's part in its <style> (it
 * must open offline, from a file); the server serves the whole at
 * CB_VIEW_STYLESHEET_PATH, so that its pages need no inline style and its
 * CSP can say style-src 'self'.
 */
#include "view/style.h"

/* The report's rules. A report file holds exactly these bytes: changing
 * them changes every report. */
#define REPORT_CSS \
	":root{--fg:#111827;--muted:#4b5563;--line:#e5e7eb;--accent:#2563eb}\n" \
	"*{box-sizing:border-box}\n" \
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial," \
	"sans-serif;color:var(--fg);background:#fff}\n" \
	"main{max-width:1180px;margin:0 auto;padding:28px 32px 48px}\n" \
	"h1{font-size:26px;margin:0 0 4px;line-height:1.25}\n" \
	"h2{font-size:20px;margin:36px 0 10px;padding-top:10px;border-top:2px solid var(--line)}\n" \
	"h3{font-size:16px;margin:14px 0 6px}\n" \
	"figure h3{margin-top:0}\n" \
	".lead,.note,.meta{color:var(--muted)}\n" \
	".meta{margin:0 0 12px;font-size:13.5px}\n" \
	".note{font-size:13.5px}\n" \
	"p.words{max-width:62em;margin:8px 0}p.lead-words{font-size:16px;line-height:1.55}\n" \
	".warning{margin:8px 0;padding:8px 12px;border-left:4px solid #f59e0b;background:#fffbeb;" \
	"color:#78350f;font-size:13.5px}\n" \
	"table{border-collapse:collapse;margin:8px 0 16px;font-size:13.5px}\n" \
	"th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n" \
	"th{font-weight:600;color:var(--muted);border-bottom:2px solid #d1d5db}\n" \
	"td{white-space:nowrap}td.v{white-space:normal;min-width:8em}" \
	"td.w{white-space:normal;min-width:9em}\n" \
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n" \
	"tr.improved td.v{color:#047857}tr.worsened td.v{color:#b91c1c}tr.thin td.v{color:#92400e}\n" \
	".facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;" \
	"margin:12px 0 16px}\n" \
	".fact{border:1px solid var(--line);border-radius:8px;padding:10px 12px}\n" \
	".fact b{display:block;font-size:19px;line-height:1.3}\n" \
	".fact span{display:block;color:var(--muted);font-size:13px}\n" \
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}\n" \
	"figure{margin:0 0 16px;padding:12px 14px;border:1px solid var(--line);border-radius:8px;" \
	"break-inside:avoid;page-break-inside:avoid}\n" \
	".grid figure{margin:0}\n" \
	".grid.wide{grid-template-columns:repeat(auto-fill,minmax(520px,1fr))}\n" \
	"figcaption,p.caption{font-size:13.5px;color:var(--muted);margin:6px 0 0}\n" \
	"figure table{margin:6px 0}\n" \
	"svg.chart{display:block;max-width:100%;height:auto}\n" \
	".charts{display:flex;flex-wrap:wrap;gap:6px 28px;align-items:flex-start}\n" \
	".badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;" \
	"vertical-align:2px;margin-left:8px}\n" \
	".b-improved{background:#d1fae5;color:#065f46}.b-worsened{background:#fee2e2;color:#991b1b}\n" \
	".b-ns{background:#f3f4f6;color:#374151}.b-thin{background:#fef3c7;color:#92400e}\n" \
	"nav ul{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:4px 18px;" \
	"font-size:14px}\n" \
	"a{color:var(--accent)}\n" \
	".scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid #93c5fd}\n" \
	"@media (max-width:640px){main{padding:16px 14px 32px}" \
	".grid,.grid.wide{grid-template-columns:1fr}}\n" \
	"@page{size:A4;margin:14mm}\n" \
	"@media print{.scroll{overflow:visible}" \
	"td,td.v,td.w{white-space:normal;min-width:0}table{font-size:8.5pt}" \
	"body{font-size:10.5pt}main{max-width:none;padding:0}nav{display:none}" \
	"figure,table,.fact,svg{break-inside:avoid;page-break-inside:avoid}" \
	"h2,h3{break-after:avoid;page-break-after:avoid}" \
	".grid{grid-template-columns:repeat(2,1fr)}.grid.wide{grid-template-columns:1fr}" \
	"figure{border-color:#d1d5db}" \
	"a{color:inherit;text-decoration:none}}\n"

/* The pages' rules: a phone reads a page as well as a desktop does, every
 * control shows its focus, and an error says so in words, not by colour
 * alone. */
#define PAGE_CSS \
	".skip{position:absolute;left:-9999px;top:8px}" \
	".skip:focus{left:8px;z-index:1;background:#fff;padding:4px 8px}\n" \
	".site{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;" \
	"gap:4px 18px;padding:8px 32px;border-bottom:1px solid var(--line)}\n" \
	".site nav ul{margin:0}.site .who{margin:0;color:var(--muted);font-size:13.5px}\n" \
	".site form{display:inline;margin:0 0 0 8px}\n" \
	"a[aria-current=page]{color:var(--fg);font-weight:600;text-decoration:none}\n" \
	".flash{margin:12px 0;padding:8px 12px;border-left:4px solid var(--accent);" \
	"background:#eff6ff}\n" \
	".flash-success{border-color:#059669;background:#ecfdf5;color:#064e3b}" \
	".flash-error{border-color:#b91c1c;background:#fef2f2;color:#7f1d1d}\n" \
	"form{margin:12px 0 20px}\n" \
	".field{margin:0 0 14px;max-width:40em}\n" \
	".field label{display:block;font-weight:600;margin:0 0 4px}\n" \
	".field input,.field select,.field textarea{display:block;width:100%;font:inherit;" \
	"padding:6px 8px;border:1px solid #6b7280;border-radius:6px;background:#fff;" \
	"color:var(--fg)}\n" \
	".field textarea{min-height:8em}\n" \
	".field .hint{margin:0 0 4px;color:var(--muted);font-size:13.5px}\n" \
	".field .error{margin:0 0 4px;color:#b91c1c;font-weight:600;font-size:13.5px}\n" \
	".field [aria-invalid=true]{border:2px solid #b91c1c}\n" \
	"fieldset{border:1px solid #d1d5db;border-radius:6px;padding:8px 12px;margin:0 0 14px}" \
	"legend{font-weight:600;padding:0 4px}\n" \
	".check{display:flex;gap:8px;align-items:baseline;margin:2px 0}" \
	".field .check input{display:inline;width:auto}.field .check label{display:inline;" \
	"font-weight:400}\n" \
	"pre.diff{overflow-x:auto;background:#f9fafb;padding:8px;border:1px solid #e5e7eb}\n" \
	".prose{white-space:pre-line;max-width:70ch}td.lines{white-space:pre-line;min-width:12em}\n" \
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}" \
	"dl.facts dt{font-weight:600}dl.facts dd{margin:0}\n" \
	"button{font:inherit;font-weight:600;padding:7px 16px;border:1px solid var(--accent);" \
	"border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}\n" \
	".site button{padding:2px 10px;font-size:13.5px;background:#fff;color:var(--accent)}\n" \
	"a:focus,button:focus,input:focus,select:focus,textarea:focus,.table:focus{" \
	"outline:3px solid #93c5fd;outline-offset:1px}\n" \
	".table{overflow-x:auto;max-width:100%}\n" \
	"caption{text-align:left;font-weight:600;padding:0 0 4px}\n" \
	"@media (max-width:640px){main{padding:16px 14px 32px}.site{padding:8px 14px}" \
	"h1{font-size:22px}h2{font-size:18px}td{white-space:normal}" \
	".grid,.grid.wide{grid-template-columns:1fr}}\n"

static const char report_css[] = REPORT_CSS;
static const char all_css[] = REPORT_CSS PAGE_CSS;

const char *cb_view_report_stylesheet(void)
{
	return report_css;
}

const char *cb_view_stylesheet(void)
{
	return all_css;
}
