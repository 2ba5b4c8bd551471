# The SQLSTATEs of src/errcodes.h and the table in README.md list the same
# codes: the header is the only definition, the README its manual.  The SQL
# scripts (the living install source sql/install/ and the upgrade scripts)
# raise only codes the header defines, and every code of the header is
# raised somewhere (C or SQL).
use strict;
use warnings;
use Test::More;
use FindBin;

my $top = "$FindBin::Bin/../..";
open my $h, '<', "$top/src/errcodes.h" or die "src/errcodes.h: $!";
my %header;
while (<$h>)
{
	$header{"PE$1$2$3"} = 1
	  if /MAKE_SQLSTATE\('P',\s*'E',\s*'(\d)',\s*'(\d)',\s*'(\d)'\)/;
}
close $h;

open my $r, '<', "$top/README.md" or die "README.md: $!";
my %readme;
while (<$r>)
{
	$readme{$1} = 1 if /^\|\s*`(PE\d{3})`\s*\|/;
}
close $r;

ok(scalar(keys %header) > 0, 'src/errcodes.h defines codes');
for my $code (sort keys %header)
{
	ok($readme{$code}, "$code of src/errcodes.h is listed in README.md");
}
for my $code (sort keys %readme)
{
	ok($header{$code}, "$code of README.md is defined in src/errcodes.h");
}

# codes raised by the SQL scripts (ERRCODE = 'PExxx') and by C (the macros)
my %macro;    # ERRCODE_ENROLL_... -> PExxx
open $h, '<', "$top/src/errcodes.h" or die "src/errcodes.h: $!";
while (<$h>)
{
	$macro{$1} = "PE$2$3$4"
	  if /#define\s+(ERRCODE_ENROLL_\w+)\s+MAKE_SQLSTATE\('P',\s*'E',\s*'(\d)',\s*'(\d)',\s*'(\d)'\)/;
}
close $h;
my %raised;
my @sql = (glob("$top/sql/install/*.sql"), glob("$top/sql/pg_enroll--*--*.sql"));
ok(scalar(@sql) > 0, 'SQL scripts found');
for my $file (@sql)
{
	next if $file =~ m{/pg_enroll--1\.2\.sql$};    # built from sql/install/
	open my $f, '<', $file or die "$file: $!";
	my ($name) = $file =~ m{([^/]+/[^/]+)$};
	while (<$f>)
	{
		while (/ERRCODE\s*=\s*'(PE\d{3})'/g)
		{
			$raised{$1} = 1;
			ok($header{$1}, "$name:$.: $1 is defined in src/errcodes.h");
		}
	}
	close $f;
}
for my $file (glob("$top/src/*.c"))
{
	open my $f, '<', $file or die "$file: $!";
	while (<$f>)
	{
		while (/\b(ERRCODE_ENROLL_\w+)/g) { $raised{ $macro{$1} } = 1 if $macro{$1}; }
	}
	close $f;
}
for my $code (sort keys %header)
{
	ok($raised{$code}, "$code is raised somewhere (C or SQL)");
}
done_testing();
