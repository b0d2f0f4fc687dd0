// Renders the verification page in headless Chromium at phone and desktop width and checks
// that its text is there in three languages and that nothing overflows horizontally.
// Usage: node check.mjs <verification URL> <output directory>
import { chromium } from 'playwright-core';

const [url, outDir] = process.argv.slice(2);
const expected = [
  'VALID', 'CÒN HIỆU LỰC', '有效',
  'Certificate verification', 'Xác minh giấy chứng nhận', '证书验证',
  'Fresh coconut, green with stalk',
  'The issuer\'s signature checks out', 'Chữ ký của cơ quan cấp hợp lệ', '签发机构签名验证通过',
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
let failures = 0;
try {
  for (const [name, width] of [['phone', 360], ['desktop', 1280]]) {
    const page = await browser.newPage({ viewport: { width, height: 800 }, extraHTTPHeaders: {} });
    const response = await page.goto(url);
    const type = response.headers()['content-type'] || '';
    if (response.status() !== 200 || !type.startsWith('text/html')) {
      console.error(`${name}: ${response.status()} ${type}`);
      failures += 1;
    }
    const text = await page.innerText('body');
    for (const words of expected) {
      if (!text.includes(words)) {
        console.error(`${name}: "${words}" is missing`);
        failures += 1;
      }
    }
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    if (overflow.scroll > overflow.client) {
      console.error(`${name}: the page is ${overflow.scroll}px wide in a ${overflow.client}px viewport`);
      failures += 1;
    }
    await page.screenshot({ path: `${outDir}/verification-page-${name}.png`, fullPage: true });
    console.log(`${name} (${width}px): checked, ${overflow.scroll}px wide`);
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(failures === 0 ? 0 : 1);
