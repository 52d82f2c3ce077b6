// Words for numbers in the site's pictures, shared by the views built at build time and the
// ones bundled for the browser (so nothing here may import more than it needs).

/** `1 page`, `3,136 bytes`. */
export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
