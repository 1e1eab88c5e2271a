// Builds a StandardMerkleTree of (address, uint256) leaves with OpenZeppelin's reference package,
// so anything that verifies a Planet prize-vault proof can be checked against the ecosystem's
// own implementation rather than ours.
//
// stdin:  {"leaves": [["0xaddress", "amount as a decimal string"], ...]}
// stdout: {"root": "0x..", "proofs": [{"account", "amount", "proof": [...]}, ...], "dump": {...}}
//
// Proofs come in input order. Amounts stay decimal strings both ways: JSON numbers lose
// precision above 2^53. With `--root-only` it prints {"root", "build_s"} instead: the time
// StandardMerkleTree.of took, for benchmarks that compare builders.
import merkleTree from "@openzeppelin/merkle-tree";

const { StandardMerkleTree } = merkleTree;

function fail(message) {
  process.stderr.write(`oz_tree: ${message}\n`);
  process.exit(2);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

let input;
try {
  input = JSON.parse(await readStdin());
} catch (err) {
  fail(`stdin is not JSON: ${err.message}`);
}
const leaves = input?.leaves;
if (!Array.isArray(leaves) || leaves.length === 0) fail('expected {"leaves": [[address, amount], ...]} with at least one leaf');
for (const leaf of leaves) {
  if (!Array.isArray(leaf) || leaf.length !== 2 || typeof leaf[1] !== "string") {
    fail(`each leaf is [address, "decimal amount"], got ${JSON.stringify(leaf)}`);
  }
}

const started = process.hrtime.bigint();
const tree = StandardMerkleTree.of(leaves, ["address", "uint256"]);
if (process.argv.includes("--root-only")) {
  const buildSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ root: tree.root, build_s: buildSeconds }) + "\n");
  process.exit(0);
}
// entries() gives each input position with its value; getProof(position) is that leaf's proof.
const proofs = [];
for (const [position, [account, amount]] of tree.entries()) {
  proofs.push({ account, amount, proof: tree.getProof(position) });
}
process.stdout.write(JSON.stringify({ root: tree.root, proofs, dump: tree.dump() }) + "\n");
