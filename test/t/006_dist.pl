# 006_dist.pl: what PGXN and Debian are told is what the tree holds.
#
# - META.json is valid against the PGXN Meta Spec 1.0.0 (required keys,
#   types, terms, semantic versions, version ranges, licenses, resources,
#   tags) and agrees with the tree: its version is pg_enroll.control's
#   default_version (X.Y -> X.Y.0) and the Makefile's EXTVERSION, it
#   provides the current version's install script, its abstract is the
#   control file's comment, its PostgreSQL range admits the server this
#   runs against and every version of debian/pgversions;
# - LICENSE is the PostgreSQL License, and debian/copyright carries the same
#   text; debian/changelog packages default_version;
# - `make dist` (mk/dist.mk) builds NAME-VERSION.zip that holds every file
#   of the tree that git would commit, under NAME-VERSION/, plus what
#   META.json provides (the built install script, the concatenation of
#   sql/install/), and nothing built; unpacked, it builds and installs with
#   PGXS (make, make install DESTDIR=...).  The archive comes from a
#   snapshot of the working tree committed to a temporary git repository
#   (git --git-dir=TMP --work-tree=TOP add -A): the tree may be a copy
#   without .git (scripts/test) or have uncommitted changes, and its own
#   repository, if any, is never touched.
#
# No cluster: it needs perl, make, git (else the archive part is skipped)
# and pg_config (PG_CONFIG, else the one on PATH) for the build.

use strict;
use warnings FATAL => 'all';

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;
use IO::Uncompress::Unzip qw($UnzipError);
use JSON::PP;
use Test::More;

my $top = abs_path("$FindBin::Bin/../..");

sub slurp
{
	my ($path) = @_;
	open my $fh, '<:raw', $path or die "$path: $!";
	local $/;
	return scalar <$fh>;
}

# run a command, its output on failure as a diagnostic; true when it exits 0
sub run_ok
{
	my ($name, @cmd) = @_;
	my $out = `@{[ join ' ', map { quotemeta } @cmd ]} 2>&1`;
	my $ok = ok($? == 0, $name);
	diag($out) unless $ok;
	return $ok;
}

# the environment of every make below: nothing of the make that runs us
delete @ENV{qw(MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE)};

# --- the tree -------------------------------------------------------------------------
my $control = slurp("$top/pg_enroll.control");
my ($default) = $control =~ /^default_version\s*=\s*'([^']+)'/m;
my ($comment) = $control =~ /^comment\s*=\s*'((?:[^']|'')*)'/m;
ok(defined $default && defined $comment, 'pg_enroll.control has a default_version and a comment')
  or BAIL_OUT('pg_enroll.control unreadable');
$comment =~ s/''/'/g;
my ($extversion) = slurp("$top/Makefile") =~ /^EXTVERSION\s*=\s*(\S+)/m;
is($extversion, $default, "the Makefile's EXTVERSION is default_version $default");

# --- META.json against the PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/) --------------
my $meta = eval { JSON::PP->new->decode(slurp("$top/META.json")) };
ok(ref $meta eq 'HASH', 'META.json is a JSON object') or BAIL_OUT("META.json: $@");

my $semver = qr/^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-?[A-Za-z][0-9A-Za-z-]*)?$/;
my $term = qr{^[^/\\\s\p{Cc}]{2,}$};
my $uri = qr{^https?://[^\s/]+\S*$};
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd
  freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0
  mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib restricted
  open_source unrestricted unknown);
my %known = map { $_ => 1 } qw(name abstract description version maintainer license provides
  prereqs resources tags no_index release_status generated_by meta-spec);
sub is_string { defined $_[0] && !ref $_[0] && length $_[0] }
# a version range: 0, a version, or ops and versions joined by commas
sub range_ok
{
	my ($r) = @_;
	return 0 if !defined $r || ref $r;
	return 1 if "$r" eq '0';
	for my $part (split /\s*,\s*/, $r)
	{
		my ($v) = $part =~ /^(?:(?:[<>]=?|==|!=)\s*)?(\S+)$/ or return 0;
		return 0 unless $v =~ $semver;
	}
	return 1;
}

for my $key (qw(name abstract version maintainer license provides meta-spec))
{
	ok(exists $meta->{$key}, "META.json has the required key $key");
}
is_deeply([ grep { !$known{$_} && !/^[xX]_/ } sort keys %$meta ], [], 'META.json has no key the spec does not know');
like($meta->{name} // '', $term, 'name is a term');
is($meta->{name}, 'pg_enroll', 'name is pg_enroll');
ok(is_string($meta->{abstract}), 'abstract is a string');
ok(!exists $meta->{description} || is_string($meta->{description}), 'description is a string');
like($meta->{version} // '', $semver, 'version is a semantic version');
my @maintainers = ref $meta->{maintainer} eq 'ARRAY' ? @{ $meta->{maintainer} } : ($meta->{maintainer});
ok(@maintainers && !grep({ !is_string($_) } @maintainers), 'maintainer is a string or a list of strings');
like($maintainers[0] // '', qr/^[^<>]+ <[^<>\s@]+@[^<>\s@]+>$/, 'the maintainer is "name <address>"');
is($meta->{license}, 'postgresql', 'license is postgresql');
ok($licenses{ $meta->{license} // '' }, 'license is a license name the spec knows');
is_deeply($meta->{'meta-spec'}, { version => '1.0.0', url => 'https://pgxn.org/meta/spec.txt' },
	'meta-spec is version 1.0.0');
is($meta->{release_status}, 'stable', 'release_status is stable');
ok(!exists $meta->{generated_by} || is_string($meta->{generated_by}), 'generated_by is a string');

my $tags = $meta->{tags};
ok(ref $tags eq 'ARRAY' && @$tags && !grep({ !is_string($_) || length($_) > 255 || m{[/\\\p{Cc}]} } @$tags),
	'tags are strings of 1 to 255 characters without slashes or control characters');

my $res = $meta->{resources} // {};
like($res->{homepage} // '', $uri, 'resources: homepage is a URI');
like($res->{bugtracker}{web} // '', $uri, 'resources: bugtracker web is a URI');
like($res->{bugtracker}{mailto} // '', qr/^[^\s@]+@[^\s@]+$/, 'resources: bugtracker mailto is an address');
like($res->{repository}{url} // '', $uri, 'resources: repository url is a URI');
is($res->{repository}{type}, 'git', 'resources: repository type is git');
is_deeply([ grep { !/^(homepage|bugtracker|repository|x_.*|X_.*)$/ } sort keys %$res ], [],
	'resources has no key the spec does not know');

my $nidx = $meta->{no_index} // {};
ok(!grep({ !/^(file|directory)$/ || ref $nidx->{$_} ne 'ARRAY' } keys %$nidx), 'no_index holds lists of files and directories');
for my $dir (@{ $nidx->{directory} // [] })
{
	ok(-d "$top/$dir", "no_index: directory $dir exists");
}

my $prereqs = $meta->{prereqs} // {};
my @bad_prereqs;
for my $phase (sort keys %$prereqs)
{
	push @bad_prereqs, "phase $phase" unless $phase =~ /^(configure|build|runtime|test|develop)$/;
	for my $rel (sort keys %{ $prereqs->{$phase} })
	{
		push @bad_prereqs, "$phase.$rel" unless $rel =~ /^(requires|recommends|suggests|conflicts)$/;
		for my $name (sort keys %{ $prereqs->{$phase}{$rel} })
		{
			push @bad_prereqs, "$phase.$rel.$name" unless range_ok($prereqs->{$phase}{$rel}{$name});
		}
	}
}
is_deeply(\@bad_prereqs, [], 'prereqs: known phases and relationships, version ranges');
my $pg_range = $prereqs->{runtime}{requires}{PostgreSQL};
ok(defined $pg_range, "prereqs: runtime requires PostgreSQL ($pg_range)");

my $provides = $meta->{provides} // {};
is_deeply([ sort keys %$provides ], ['pg_enroll'], 'provides the extension pg_enroll, and only it');
my $ext = $provides->{pg_enroll} // {};
my @provided_files = map { $_->{file} // () } values %$provides;
like($ext->{version} // '', $semver, 'provides: version is a semantic version');
is($ext->{version}, $meta->{version}, "provides: the extension's version is the distribution's");
is($meta->{version}, "$default.0", "version $meta->{version} is default_version $default");
is($ext->{file}, "sql/pg_enroll--$default.sql", "provides: file is the install script of $default");
ok(-f "$top/$ext->{file}" || (glob("$top/sql/install/[0-9][0-9]_*.sql"))[0],
	"provides: $ext->{file} exists or is built from sql/install/");
ok(is_string($ext->{docfile}) && -f "$top/$ext->{docfile}", 'provides: docfile exists');
is($ext->{abstract}, $meta->{abstract}, "provides: the extension's abstract is the distribution's");
is($comment, $meta->{abstract}, "pg_enroll.control's comment is META.json's abstract");

# PostgreSQL versions: "15.20" -> [15, 20, 0]; a range as [op, version] pairs
sub vtriple { my @p = ($_[0] =~ /(\d+)/g); return [ map { $_ // 0 } @p[ 0 .. 2 ] ]; }
sub vcmp { my ($x, $y) = @_; return $x->[0] <=> $y->[0] || $x->[1] <=> $y->[1] || $x->[2] <=> $y->[2]; }
sub in_range
{
	my ($v, $range) = @_;
	return 1 if "$range" eq '0';
	for my $part (split /\s*,\s*/, $range)
	{
		my ($op, $w) = $part =~ /^([<>]=?|==|!=)?\s*(\S+)$/;
		my $c = vcmp(vtriple($v), vtriple($w));
		$op //= '>=';
		return 0 unless ($op eq '>=' && $c >= 0) || ($op eq '>' && $c > 0) || ($op eq '<=' && $c <= 0)
		  || ($op eq '<' && $c < 0) || ($op eq '==' && $c == 0) || ($op eq '!=' && $c != 0);
	}
	return 1;
}
my @pgversions = grep { /^\d+$/ } map { s/^\s+|\s+$//gr } split /\n/, slurp("$top/debian/pgversions");
ok(@pgversions, 'debian/pgversions names PostgreSQL versions: ' . join(' ', @pgversions));
for my $v (@pgversions)
{
	ok(in_range("$v.0.0", $pg_range), "PostgreSQL $v (debian/pgversions) is in META.json's range $pg_range");
}
my $pg_config = $ENV{PG_CONFIG} // 'pg_config';
my $server = `$pg_config --version 2>/dev/null` // '';
my ($server_version) = $server =~ /PostgreSQL (\d+(?:\.\d+)*)/;
SKIP:
{
	skip("no pg_config ($pg_config)", 1) unless defined $server_version;
	ok(in_range($server_version, $pg_range), "the server built against, $server_version, is in $pg_range");
}

# --- LICENSE, debian/copyright, debian/changelog ------------------------------------
# the PostgreSQL License (https://opensource.org/license/postgresql), with
# HOLDER for the copyright holder (upper case in the disclaimers)
my $postgresql_license = <<'EOT';
Permission to use, copy, modify, and distribute this software and its
documentation for any purpose, without fee, and without a written agreement is
hereby granted, provided that the above copyright notice and this paragraph
and the following two paragraphs appear in all copies.
IN NO EVENT SHALL HOLDER BE LIABLE TO ANY PARTY FOR DIRECT, INDIRECT, SPECIAL,
INCIDENTAL, OR CONSEQUENTIAL DAMAGES, INCLUDING LOST PROFITS, ARISING OUT OF
THE USE OF THIS SOFTWARE AND ITS DOCUMENTATION, EVEN IF HOLDER HAS BEEN
ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
HOLDER SPECIFICALLY DISCLAIMS ANY WARRANTIES, INCLUDING, BUT NOT LIMITED TO,
THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR
PURPOSE. THE SOFTWARE PROVIDED HEREUNDER IS ON AN "AS IS" BASIS, AND HOLDER
HAS NO OBLIGATIONS TO PROVIDE MAINTENANCE, SUPPORT, UPDATES, ENHANCEMENTS, OR
MODIFICATIONS.
EOT
sub squash { my $t = shift; $t =~ s/\s+/ /g; $t =~ s/^ | $//g; return $t; }
my $license = squash(slurp("$top/LICENSE"));
my ($holder, $body) = $license =~ /^PostgreSQL License Copyright \(c\) \d{4}(?:-\d{4})?, ([^.]+?) (Permission to use, .*)$/;
ok(defined $holder, "LICENSE names the PostgreSQL License and a copyright holder ($holder)");
my $want_body = squash($postgresql_license);
$want_body =~ s/HOLDER/uc($holder \/\/ 'HOLDER')/ge;
is($body, $want_body, 'LICENSE is the text of the PostgreSQL License');

my $copyright = slurp("$top/debian/copyright");
like($copyright, qr{^Format: https://www\.debian\.org/doc/packaging-manuals/copyright-format/1\.0/$}m,
	'debian/copyright is machine-readable');
like($copyright, qr/^Files: \*\nCopyright: [^\n]+\nLicense: PostgreSQL$/m, 'debian/copyright: Files: * under the PostgreSQL License');
my ($deb_text) = $copyright =~ /^License: PostgreSQL\n((?: [^\n]*\n?)+)/m;
$deb_text = join "\n", map { s/^ //r =~ s/^\.$//r } split /\n/, $deb_text // '';
is(squash($deb_text), $body, "debian/copyright's license text is LICENSE's");

my ($deb_version) = slurp("$top/debian/changelog") =~ /^pg-enroll \(([^)]+)\)/;
like($deb_version // '', qr/^\Q$default\E-\d+$/, "debian/changelog packages $default ($deb_version)");

# --- make dist -----------------------------------------------------------------------
SKIP:
{
	my $git = `git --version 2>/dev/null` // '';
	skip('git is not installed: make dist (git archive) cannot run', 1) unless $git =~ /^git version/;

	my $tmp = tempdir('pg_enroll_dist_XXXX', TMPDIR => 1, CLEANUP => 1);
	my @git = ('git', '-c', 'safe.directory=*', '-c', 'user.name=006_dist', '-c', 'user.email=006_dist@example.org',
		'-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', '-C', $top, "--git-dir=$tmp/repo.git",
		"--work-tree=$top");
	run_ok('a snapshot of the working tree in a temporary git repository', @git, 'init', '-q')
	  # (an archive that an earlier make dist left in the top directory is
	  # not part of the tree)
	  && run_ok('git add -A', @git, 'add', '-A', '--', '.', ":(exclude)$meta->{name}-*.zip")
	  && run_ok('git commit', @git, 'commit', '-q', '--no-verify', '-m', 'snapshot of the tree for 006_dist')
	  or skip('no snapshot: make dist cannot run', 1);
	my @tree = sort split /\0/, `@{[ join ' ', map { quotemeta } @git ]} ls-files -z`;
	ok(scalar @tree, scalar(@tree) . ' files in the snapshot');

	my $name = "$meta->{name}-$meta->{version}";
	{
		local $ENV{GIT_DIR} = "$tmp/repo.git";
		my $out = `make -s -C '$top' dist DIST_REF=no-such-ref DIST_DIR='$tmp/nodist' PG_CONFIG='$pg_config' 2>&1`;
		ok($? != 0 && $out =~ /names no commit/, 'make dist refuses a ref that names no commit');
		run_ok("make dist DIST_DIR=... builds $name.zip", 'make', '-s', '-C', $top, 'dist',
			"DIST_DIR=$tmp/dist", "PG_CONFIG=$pg_config")
		  or skip('make dist failed', 1);
	}
	my $zip = "$tmp/dist/$name.zip";
	ok(-f $zip, "the archive is $name.zip") or skip('no archive', 1);

	# read the archive: member name -> content
	my (%member, @dirs);
	my $u = IO::Uncompress::Unzip->new($zip) or die "$zip: $UnzipError";
	for (my $status = 1; $status > 0; $status = $u->nextStream)
	{
		my $path = $u->getHeaderInfo->{Name};
		my ($content, $buf) = ('');
		while (($status = $u->read($buf)) > 0) { $content .= $buf; }
		die "$zip: $path: $UnzipError" if $status < 0;
		if ($path =~ m{/$}) { push @dirs, $path; } else { $member{$path} = $content; }
	}
	$u->close;
	is_deeply([ grep { !m{^\Q$name\E/} } sort(keys %member, @dirs) ], [], "every member is under $name/");
	my %in_zip = map { s{^\Q$name\E/}{}r => 1 } keys %member;

	my %seen;
	for my $f (grep { !$seen{$_}++ } 'META.json', 'README.md', 'LICENSE', 'Makefile', 'mk/dist.mk',
		'pg_enroll.control', $ext->{docfile}, @provided_files,
		map { s{^\Q$top\E/}{}r } glob("$top/sql/pg_enroll--*.sql"))
	{
		ok($in_zip{$f}, "the archive holds $f");
	}
	is_deeply([ sort grep { !$in_zip{$_} } @tree ], [], 'the archive holds every file of the tree that git would commit');
	my %tracked = map { $_ => 1 } @tree;
	is_deeply([ sort grep { !$tracked{$_} } keys %in_zip ], [ sort grep { !$tracked{$_} } @provided_files ],
		'beyond them, only what META.json provides and git does not hold');
	is_deeply([ grep { m{\.(o|so|bc|zip)$|(^|/)(results|tmp_check|log)/|regression\.(diffs|out)$} } sort keys %in_zip ], [],
		'no build output in the archive');
	ok(defined $member{"$name/META.json"} && $member{"$name/META.json"} eq slurp("$top/META.json"),
		"the archive's META.json is the tree's");
	my $install_script = join '', map { slurp($_) } sort glob("$top/sql/install/[0-9][0-9]_*.sql");
	ok(defined $member{"$name/$ext->{file}"} && $member{"$name/$ext->{file}"} eq $install_script,
		"the archive's $ext->{file} is sql/install/ concatenated");

	# unpacked, it builds and installs with PGXS
	skip("no pg_config ($pg_config): the archive is not built", 1) unless defined $server_version;
	my $unpacked = "$tmp/unpacked";
	for my $path (sort keys %member)
	{
		make_path(dirname("$unpacked/$path"));
		open my $fh, '>:raw', "$unpacked/$path" or die "$unpacked/$path: $!";
		print $fh $member{$path};
		close $fh;
	}
	my $jobs = `nproc 2>/dev/null` || 2;
	chomp $jobs;
	run_ok('make, in the unpacked archive', 'make', '-s', "-j$jobs", '-C', "$unpacked/$name", "PG_CONFIG=$pg_config")
	  && run_ok('make install DESTDIR=..., from the unpacked archive', 'make', '-s', '-C', "$unpacked/$name", 'install',
		"DESTDIR=$tmp/destdir", "PG_CONFIG=$pg_config")
	  or skip('the archive does not build', 1);
	my $pkglibdir = `$pg_config --pkglibdir`;
	my $sharedir = `$pg_config --sharedir`;
	chomp($pkglibdir, $sharedir);
	ok(-f "$tmp/destdir$pkglibdir/pg_enroll.so", 'it installs pg_enroll.so');
	my @want = sort('pg_enroll.control', map { s{^.*/}{}r } grep { m{^sql/pg_enroll--.*\.sql$} } keys %in_zip);
	my @got = sort map { s{^.*/}{}r } glob("$tmp/destdir$sharedir/extension/pg_enroll*");
	is_deeply(\@got, \@want, 'it installs the control file and every script: ' . join(' ', @want));
}

done_testing();
