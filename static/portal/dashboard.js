// Draws the dashboard's charts from the JSON the page carries (no inline script, no CDN).
(function () {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  document.querySelectorAll(".chart").forEach(function (element) {
    const series = data[element.dataset.chart] || [];
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: series.map((d) => d.name),
               axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ type: "bar", data: series.map((d) => d.value), label: { show: true, position: "right" },
                 itemStyle: { color: "#9b1c1c" } }],
      tooltip: {},
    });
    if (element.dataset.link) {
      chart.on("click", function () { window.location = element.dataset.link; });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
