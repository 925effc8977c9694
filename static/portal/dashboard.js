// Draws the dashboard's charts from the JSON the page carries (no inline script, no CDN).
// A chart with data-link sends a click on a bar to the list behind it: data-link followed
// by the bar's data-key value (a status, a category).
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  document.querySelectorAll(".chart").forEach(function (element) {
    const series = data[element.dataset.chart] || [];
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: series.map((d) => d.name),
               axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ type: "bar", data: series.map((d) => d.value), label: { show: true, position: "right" },
                 itemStyle: { color: "#9b1c1c" }, cursor: element.dataset.link ? "pointer" : "default" }],
      tooltip: {},
    });
    if (element.dataset.link) {
      chart.on("click", function (params) {
        const item = series[params.dataIndex];
        if (item) window.location = element.dataset.link + encodeURIComponent(item[element.dataset.key]);
      });
    }
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach((c) => c.resize()); });
  window.addEventListener("beforeprint", function () { charts.forEach((c) => c.resize()); });
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
