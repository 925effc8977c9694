// Draws the dashboard's charts from the JSON the page carries (no inline script, no CDN).
// A chart with data-link sends a click on a bar to the list behind it: data-link followed
// by the bar's data-key value (a status, a category).
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const font = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif";
  const stageColours = ["#9b1c1c", "#d97706", "#2563eb", "#15803d"];
  // Time in each stage: one group of bars per row (the area, its townships), a bar per
  // step at its median; the tooltip adds the 75th percentile and how many got there.
  function drawStages(element, stages) {
    const chart = echarts.init(element, null, { renderer: "svg" });
    const rows = stages.rows || [];
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name),
               axisLabel: { width: 160, overflow: "truncate" } },
      series: (stages.milestones || []).map(function (name, index) {
        return { name: name, type: "bar", cursor: "pointer", itemStyle: { color: stageColours[index] },
                 data: rows.map((r) => r.median[index]) };
      }),
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          const row = rows[items[0].dataIndex];
          return [row.name].concat(items.map(function (item) {
            const i = item.seriesIndex;
            return item.marker + item.seriesName + ": " + (row.median[i] ?? "—") + " / " +
                   (row.p75[i] ?? "—") + " (" + row.cases[i] + ")";
          })).join("<br>");
        },
      },
    });
    chart.on("click", function (params) {
      const row = rows[params.dataIndex];
      if (row) window.location = element.dataset.link + encodeURIComponent(row.code);
    });
    return chart;
  }
  document.querySelectorAll(".chart").forEach(function (element) {
    if (element.dataset.chart === "stages") {
      charts.push(drawStages(element, data.stages || {}));
      return;
    }
    const series = data[element.dataset.chart] || [];
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: font },
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
